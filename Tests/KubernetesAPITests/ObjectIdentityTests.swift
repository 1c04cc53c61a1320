import Foundation
import KubernetesAPI
import XCTest

final class ObjectIdentityTests: XCTestCase {
    private let deployment = ObjectReference(apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop",
                                             uid: "d-1")

    func testResourceVersionAndFieldPathDoNotSplitOneObject() {
        var changed = deployment
        changed.resourceVersion = "812"
        changed.fieldPath = "spec.template"
        XCTAssertNotEqual(changed, deployment)
        XCTAssertEqual(ObjectIdentity(changed), ObjectIdentity(deployment))
        XCTAssertEqual(Set([ObjectIdentity(changed), ObjectIdentity(deployment)]).count, 1)
    }

    func testAnOwnerLivesInTheNamespaceOfWhatItOwns() {
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d-1", controller: true)
        XCTAssertEqual(ObjectIdentity(owner, namespace: "shop"), ObjectIdentity(deployment))
        XCTAssertNotEqual(ObjectIdentity(owner, namespace: "other"), ObjectIdentity(deployment))
    }

    func testReferenceLeavesEmptyFieldsOut() throws {
        XCTAssertEqual(ObjectReference(ObjectIdentity(deployment)), deployment)
        let namespace = ObjectIdentity(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop")
        let reference = ObjectReference(namespace)
        XCTAssertNil(reference.namespace)
        XCTAssertNil(reference.uid)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(reference)) as? [String: String]
        XCTAssertEqual(json, ["apiVersion": "v1", "kind": "Namespace", "name": "shop"])
    }

    func testDescriptionNamesKindNamespaceAndName() {
        XCTAssertEqual(ObjectIdentity(deployment).description, "Deployment shop/web")
        XCTAssertEqual(ObjectIdentity(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop").description,
                       "Namespace/shop")
    }
}
