import Admission
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pod may legally have thousands of containers, and the webhook must not spend quadratic
/// CPU on one: the review's cost grows with the number of containers like the pod's size does.
/// Measured as a ratio of CPU times of the same engine on pods 8x apart, so the figure does not
/// depend on the machine's speed or load: linear work gives 6-8.5 (debug build). The quadratic
/// self-check this guards against (a scan of every list appended to, per list) gave 44 and 50;
/// a scan of the pod's volumes per injected mount gave 40 with four volumes per container.
final class AdmissionScalingTests: XCTestCase {
    private static let small = 500
    private static let large = 4000
    /// Between the two, with room on both sides: 2.4x what linear work gives, under half of
    /// what the quadratic check gave.
    private static let bound = 20.0

    func testReviewCostGrowsLinearlyWithContainersUnderTheBenchProfile() throws {
        let controller = AdmissionController(configuration: try FixtureFiles.configuration("bench-profile.yaml"))
        // 1 status annotation + 1 init container + 3 env vars per container.
        try assertLinear(controller, expectedOperations: { 2 + 3 * $0 })
    }

    /// The pod has four volumes per container: each injected mount's volume is looked up among
    /// them, which must not cost containers times volumes.
    func testReviewCostGrowsLinearlyWithContainersAndVolumesWhenVolumesAndMountsAreInjected() throws {
        let controller = AdmissionController(configuration: try InjectionConfig.load(yaml: """
            defaultProfiles: [agent]
            profiles:
              agent:
                env: [{name: AGENT, value: "on"}]
                initContainers:
                  - {name: agent-copy, image: "agent:1", volumeMounts: [{name: agent, mountPath: /agent}]}
                volumes: [{name: agent, emptyDir: {}}]
                volumeMounts: [{name: agent, mountPath: /agent}]
            """, source: "scaling"))
        // 1 status annotation + 1 init container + 1 volume + an env var and a mount per container.
        try assertLinear(controller, volumesPerContainer: 4, expectedOperations: { 3 + 2 * $0 })
    }

    /// The median CPU time of reviews of the large pod over that of the small pod stays under
    /// `bound`; both pods are injected in every container.
    private func assertLinear(_ controller: AdmissionController, volumesPerContainer: Int = 0, expectedOperations: (Int) -> Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var medians: [Double] = []
        for containers in [Self.small, Self.large] {
            let body = Self.review(containers: containers, volumes: max(1, containers * volumesPerContainer))
            let outcome = controller.review(body)
            XCTAssertEqual(outcome.result, .injected, file: file, line: line)
            XCTAssertEqual(outcome.patchOperations, expectedOperations(containers), file: file, line: line)
            var times: [Double] = []
            for _ in 0..<3 {
                let start = Self.threadCPUSeconds()
                _ = controller.review(body)
                times.append(Self.threadCPUSeconds() - start)
            }
            medians.append(times.sorted()[1])
        }
        let ratio = medians[1] / max(medians[0], 1e-9)
        XCTAssertLessThan(
            ratio, Self.bound,
            "\(Self.large) containers cost \(ratio)x the CPU of \(Self.small) (\(medians[1]) s against \(medians[0]) s): growth is superlinear",
            file: file, line: line)
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A pod of `containers` containers, each with three env vars and a mount of the pod's own
    /// volume, and `volumes` volumes, as an AdmissionReview.
    private static func review(containers: Int, volumes: Int) -> [UInt8] {
        var text = #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"scale","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"scale","operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"wide","namespace":"scale"},"spec":{"containers":["#
        for container in 0..<containers {
            if container > 0 { text += "," }
            text += #"{"name":"c\#(container)","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}"#
        }
        text += #"],"volumes":[{"name":"data","emptyDir":{}}"#
        for volume in 1..<volumes { text += #",{"name":"volume-\#(volume)","emptyDir":{}}"# }
        text += #"]}},"dryRun":false}}"#
        return Array(text.utf8)
    }
}
