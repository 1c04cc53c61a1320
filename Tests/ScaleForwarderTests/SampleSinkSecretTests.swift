import Foundation
import JSON
import KubeClient
import KubernetesAPI
import TestSupport
import XCTest
import YAML
@testable import ScaleForwarder

/// Each sample Secret under charts/kube-injector/examples/sinks/ renders, against a sample scale,
/// to the request its tool expects.
final class SampleSinkSecretTests: XCTestCase {
    let scale = ScaleEvent(
        eventUID: "3f1c", count: 1, namespace: "shop", name: "php-apache", target: "Deployment/php-apache",
        eventReason: "SuccessfulRescale",
        message: "New size: 3; reason: cpu resource utilization (percentage of request) above target",
        time: Date(timeIntervalSince1970: 1_795_320_600))

    func render(_ file: String, allowHTTP: Bool = false, scale: ScaleEvent? = nil) throws -> (SinkRequest, JSONValue) {
        let path = TestSupport.packageRoot.appendingPathComponent("charts/kube-injector/examples/sinks/\(file)")
        let yaml = try String(contentsOf: path, encoding: .utf8)
        let secret = try YAMLDecoder().decode(Secret.self, from: yaml)
        XCTAssertEqual(secret.kind, "Secret")
        XCTAssertNotNil(secret.metadata.name)
        var values: [String: [UInt8]] = [:]
        for key in ["url", "headers", "body"] {
            if let bytes = secret.bytes(forKey: key) { values[key] = bytes }
        }
        let spec = try SinkSpec(secretData: values, allowHTTP: allowHTTP)
        let request = spec.request(for: scale ?? self.scale)
        return (request, try JSONParser.parse(request.body))
    }

    func testWavefrontEventHasEpochMillisecondStartTime() throws {
        let (request, body) = try render("wavefront.yaml")
        XCTAssertTrue(request.url.hasSuffix("/api/v2/event"))
        XCTAssertTrue(request.headers["Authorization"]?.hasPrefix("Bearer ") ?? false)
        XCTAssertEqual(body["startTime"], .number("1795320600000"))
        XCTAssertEqual(body["endTime"], .number("1795320600000"))
        XCTAssertEqual(body["name"], .string("HPA shop/php-apache scaled to 3"))
        XCTAssertEqual(body["annotations"]?["details"], .string(scale.message))
        XCTAssertEqual(body["annotations"]?["type"], .string("scaling"))
        XCTAssertEqual(body["annotations"]?["eventId"], .string(scale.eventID))
    }

    func testDatadogEventHasTitleTextAndEpochSeconds() throws {
        let (request, body) = try render("datadog.yaml")
        XCTAssertTrue(request.url.hasSuffix("/api/v1/events"))
        XCTAssertNotNil(request.headers["DD-API-KEY"])
        XCTAssertEqual(body["title"], .string("HPA shop/php-apache scaled Deployment/php-apache to 3"))
        XCTAssertEqual(body["text"], .string(scale.message))
        XCTAssertEqual(body["date_happened"], .number("1795320600"))
        XCTAssertEqual(body["aggregation_key"], .string(scale.eventID), "Datadog groups resends of one scale")
        XCTAssertEqual(body["tags"], .array([.string("kube_namespace:shop"), .string("hpa:php-apache"),
                                             .string("event_reason:SuccessfulRescale")]))
    }

    func testGrafanaAnnotationHasEpochMillisecondTimeAndTags() throws {
        let (request, body) = try render("grafana.yaml")
        XCTAssertTrue(request.url.hasSuffix("/api/annotations"))
        XCTAssertTrue(request.headers["Authorization"]?.hasPrefix("Bearer ") ?? false)
        XCTAssertEqual(body["time"], .number("1795320600000"))
        XCTAssertEqual(body["tags"], .array([.string("hpa"), .string("shop"), .string("php-apache")]))
        XCTAssertEqual(body["text"], .string(
            "HPA shop/php-apache scaled Deployment/php-apache to 3: cpu resource utilization (percentage of request) above target"))
    }

    func testSlackWebhookHasOnlyText() throws {
        let (request, body) = try render("slack.yaml")
        XCTAssertTrue(request.url.hasPrefix("https://hooks.slack.com/services/"))
        XCTAssertEqual(request.headers, ["Content-Type": "application/json"])
        guard case .object(let members) = body else { return XCTFail("body is not an object") }
        XCTAssertEqual(Array(members.keys), ["text"])
        XCTAssertTrue(body["text"]?.stringValue?.contains("*shop/php-apache*") ?? false)
        XCTAssertTrue(body["text"]?.stringValue?.contains("2026-11-22T04:10:00Z") ?? false)
    }

    func testHoneycombMarkerHasEpochSecondStartTime() throws {
        let (request, body) = try render("honeycomb.yaml")
        XCTAssertTrue(request.url.hasPrefix("https://api.honeycomb.io/1/markers/"))
        XCTAssertNotNil(request.headers["X-Honeycomb-Team"])
        XCTAssertEqual(body["start_time"], .number("1795320600"))
        XCTAssertEqual(body["type"], .string("hpa-scale"))
        XCTAssertEqual(body["message"], .string(
            "HPA shop/php-apache scaled to 3: cpu resource utilization (percentage of request) above target [\(scale.eventID)]"))
    }

    /// CloudEvents 1.0 structured mode (spec: cloudevents/spec, cloudevents/formats/json-format.md):
    /// the media type says the body is the whole event; specversion, id, source and type are required.
    func testKnativeBrokerGetsAStructuredCloudEventWithAStableID() throws {
        let (request, body) = try render("knative.yaml", allowHTTP: true)
        XCTAssertTrue(request.url.hasPrefix("http://broker-ingress.knative-eventing.svc.cluster.local/"))
        XCTAssertEqual(request.headers["Content-Type"], "application/cloudevents+json")
        XCTAssertEqual(request.headers.count, 1)
        XCTAssertEqual(body["specversion"], .string("1.0"))
        XCTAssertEqual(body["type"], .string("io.kube-injector.hpa.scaled"))
        XCTAssertEqual(body["source"], .string("/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/php-apache"))
        XCTAssertEqual(body["time"], .string("2026-11-22T04:10:00Z"))
        XCTAssertEqual(body["data"]?["newSize"], .number("3"))
        XCTAssertEqual(body["data"]?["message"], .string(scale.message))
        // The id comes from the forwarder's `_event_id_` placeholder: stable for one (event uid, count),
        // different for the next scale of the same Event.
        guard let id = body["id"]?.stringValue else { return XCTFail("the CloudEvent has no string id") }
        XCTAssertFalse(id.isEmpty)
        XCTAssertFalse(id.contains("_event_id_"), "the _event_id_ placeholder was not substituted")
        XCTAssertEqual(try render("knative.yaml", allowHTTP: true).1["id"], .string(id))
        var next = scale
        next.count += 1
        XCTAssertNotEqual(try render("knative.yaml", allowHTTP: true, scale: next).1["id"], .string(id))
    }

    func testKnativeSampleNeedsHTTPAllowed() throws {
        XCTAssertThrowsError(try render("knative.yaml"))
    }

    func testEverySampleIsCovered() throws {
        let directory = TestSupport.packageRoot.appendingPathComponent("charts/kube-injector/examples/sinks")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(files, ["datadog.yaml", "grafana.yaml", "honeycomb.yaml", "knative.yaml", "slack.yaml", "wavefront.yaml"])
    }
}
