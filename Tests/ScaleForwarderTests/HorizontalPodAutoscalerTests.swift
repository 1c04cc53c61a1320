import Foundation
import KubernetesAPI
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
