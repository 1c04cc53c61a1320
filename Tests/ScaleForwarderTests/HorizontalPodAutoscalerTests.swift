import Foundation
import KubeClient
import XCTest
@testable import ScaleForwarder

final class HorizontalPodAutoscalerTests: XCTestCase {
    func testV1AndV2ObjectsDecodeTheSameFields() throws {
        let v1 = #"""
        {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "php-apache", "namespace": "default", "annotations": {"hpa-event": "default/php-apache-hpe"}},
         "spec": {"maxReplicas": 5, "minReplicas": 1, "targetCPUUtilizationPercentage": 50,
                  "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"}}}
        """#
        let v2 = #"""
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "php-apache", "namespace": "default", "annotations": {"hpa-event": "default/php-apache-hpe"}},
         "spec": {"maxReplicas": 5, "minReplicas": 1,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}],
                  "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"}}}
        """#
        for text in [v1, v2] {
            let hpa = try JSONDecoder().decode(HorizontalPodAutoscaler.self, from: Data(text.utf8))
            XCTAssertEqual(hpa.targetDescription, "Deployment/php-apache")
            XCTAssertEqual(hpa.metadata.annotations?[SinkReference.annotation], "default/php-apache-hpe")
        }
    }
}

final class LeaseRecordConversionTests: XCTestCase {
    func testLeaseSpecRoundTripsWithMicrosecondTimes() throws {
        let acquired = Date(timeIntervalSince1970: 1_795_320_600.25)
        let record = LeaderElectionRecord(holderIdentity: "kube-injector-0", leaseDurationSeconds: 15,
                                          acquireTime: acquired, renewTime: acquired.addingTimeInterval(2),
                                          leaseTransitions: 4)
        let spec = LeaderElector.spec(record)
        XCTAssertEqual(spec.acquireTime, "2026-11-22T04:10:00.250000Z")
        let back = LeaderElector.record(Lease(metadata: ObjectMeta(name: "l"), spec: spec))
        XCTAssertEqual(back.holderIdentity, record.holderIdentity)
        XCTAssertEqual(back.leaseTransitions, 4)
        XCTAssertEqual(back.renewTime?.timeIntervalSince1970 ?? 0, 1_795_320_602.25, accuracy: 0.000_01)
    }

    func testAnEmptyLeaseIsFree() {
        let record = LeaderElector.record(Lease(metadata: ObjectMeta(name: "l")))
        XCTAssertEqual(record.holderIdentity, "")
        XCTAssertEqual(record.leaseTransitions, 0)
    }
}
