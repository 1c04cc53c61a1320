/// Why a body is not an AdmissionReview the core can answer; becomes an HTTP 400 text.
struct AdmissionRequestError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
