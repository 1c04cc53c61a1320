import XCTest
@testable import ScaleForwarder

final class SinkSpecTests: XCTestCase {
    func data(url: String = "https://sink.example.com/api/v2/event", headers: String? = #"{"Authorization": "Bearer secret-token"}"#,
              body: String? = #"{"details": "_message_"}"#) -> [String: [UInt8]] {
        var values: [String: [UInt8]] = ["url": Array(url.utf8)]
        if let headers { values["headers"] = Array(headers.utf8) }
        if let body { values["body"] = Array(body.utf8) }
        return values
    }

    func testValidSecretDecodes() throws {
        let spec = try SinkSpec(secretData: data(), allowHTTP: false)
        XCTAssertEqual(spec.url, "https://sink.example.com/api/v2/event")
        XCTAssertEqual(spec.headers, ["Authorization": "Bearer secret-token"])
        let request = spec.request(for: BodyTemplateTests.scale())
        XCTAssertEqual(request.headers["Content-Type"], "application/json")
    }

    func testHTTPIsRefusedUnlessAllowed() throws {
        XCTAssertThrowsError(try SinkSpec(secretData: data(url: "http://sink.example.com/x"), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .httpNotAllowed)
        }
        XCTAssertNoThrow(try SinkSpec(secretData: data(url: "http://sink.example.com/x"), allowHTTP: true))
        XCTAssertThrowsError(try SinkSpec(secretData: data(url: "ftp://sink.example.com/x"), allowHTTP: true)) {
            XCTAssertEqual($0 as? SinkSpecError, .unsupportedScheme("ftp"))
        }
    }

    func testMissingOrMalformedPartsAreNamed() {
        XCTAssertThrowsError(try SinkSpec(secretData: data(body: nil), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .missingKey("body"))
        }
        XCTAssertThrowsError(try SinkSpec(secretData: data(headers: "[1]"), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .headersNotAnObject)
        }
        XCTAssertThrowsError(try SinkSpec(secretData: data(headers: #"{"X-Key": 5}"#), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .headerValueNotAString(name: "X-Key"))
        }
        XCTAssertThrowsError(try SinkSpec(secretData: data(headers: #"{"X-Key": "a\r\nInjected: yes"}"#), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .invalidHeaderValue(name: "X-Key"))
        }
        XCTAssertThrowsError(try SinkSpec(secretData: data(url: "not a url"), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .invalidURL)
        }
        XCTAssertThrowsError(try SinkSpec(secretData: data(url: "https://user:pw@sink.example.com/"), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .credentialsInURL)
        }
        XCTAssertThrowsError(try SinkSpec(secretData: data(body: "{"), allowHTTP: false))
    }

    func testABodyThatIsNotJSONIsRefusedWithItsLineAndColumn() {
        XCTAssertThrowsError(try SinkSpec(secretData: data(body: "{\n  \"a\": }"), allowHTTP: false)) {
            XCTAssertEqual($0 as? SinkSpecError, .bodyNotJSON("not valid JSON at line 2, column 8: unexpected character '}', expected a value"))
            XCTAssertEqual("\($0)", "the Secret's body is not valid JSON at line 2, column 8: unexpected character '}', expected a value")
        }
    }

    func testHeadersAreOptional() throws {
        let spec = try SinkSpec(secretData: data(headers: nil), allowHTTP: false)
        XCTAssertEqual(spec.headers, [:])
    }

    func testDescriptionShowsNeitherHeaderValuesNorQuery() throws {
        let spec = try SinkSpec(secretData: data(url: "https://hooks.example.com/services/T0?key=topsecret"), allowHTTP: false)
        XCTAssertFalse(spec.description.contains("secret-token"))
        XCTAssertFalse(spec.description.contains("topsecret"))
        XCTAssertFalse(spec.description.contains("T0"))
        XCTAssertTrue(spec.description.contains("Authorization"))
        for error in [SinkSpecError.httpNotAllowed, .headersNotAnObject, .invalidHeaderValue(name: "Authorization")] {
            XCTAssertFalse(error.description.contains("secret-token"))
        }
    }
}

final class SinkReferenceTests: XCTestCase {
    func testSecretNameAloneMeansTheHPAsNamespace() throws {
        let reference = try SinkReference(annotationValue: "php-apache-hpe", hpaNamespace: "default")
        XCTAssertEqual(reference, SinkReference(namespace: "default", secretName: "php-apache-hpe"))
    }

    func testNamespaceSlashSecret() throws {
        let reference = try SinkReference(annotationValue: " observability/wavefront ", hpaNamespace: "default")
        XCTAssertEqual(reference, SinkReference(namespace: "observability", secretName: "wavefront"))
    }

    func testMalformedAnnotationsAreRefused() {
        XCTAssertThrowsError(try SinkReference(annotationValue: "a/b/c", hpaNamespace: "x")) {
            XCTAssertEqual($0 as? SinkReferenceError, .malformed("a/b/c"))
        }
        XCTAssertThrowsError(try SinkReference(annotationValue: "", hpaNamespace: "x")) {
            XCTAssertEqual($0 as? SinkReferenceError, .invalidSecretName(""))
        }
        XCTAssertThrowsError(try SinkReference(annotationValue: "Bad_NS/secret", hpaNamespace: "x")) {
            XCTAssertEqual($0 as? SinkReferenceError, .invalidNamespace("Bad_NS/secret"))
        }
        XCTAssertThrowsError(try SinkReference(annotationValue: "ns/", hpaNamespace: "x"))
    }

    func testCrossNamespaceNeedsTheAllowList() throws {
        let reference = SinkReference(namespace: "observability", secretName: "wavefront")
        XCTAssertThrowsError(try reference.check(hpaNamespace: "shop", allowedNamespaces: [])) {
            XCTAssertEqual($0 as? SinkReferenceError, .crossNamespaceNotAllowed(secretNamespace: "observability", hpaNamespace: "shop"))
            XCTAssertTrue(String(describing: $0).contains("allowedSecretNamespaces"))
        }
        XCTAssertNoThrow(try reference.check(hpaNamespace: "shop", allowedNamespaces: ["observability"]))
        XCTAssertNoThrow(try reference.check(hpaNamespace: "shop", allowedNamespaces: ["*"]))
        XCTAssertNoThrow(try reference.check(hpaNamespace: "observability", allowedNamespaces: []))
    }
}
