#ifndef C_OPENSSL_SHIM_H
#define C_OPENSSL_SHIM_H
// Thin typed wrappers over the system OpenSSL 3: macros made into functions, the connection's BIO,
// and the few multi-call sequences Swift cannot express without raw pointer juggling. No policy:
// which versions, suites and files to use is decided in Swift (WebhookServer).
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

// Protocol bounds (macros in OpenSSL).
int ki_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
int ki_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version);
long ki_ssl_ctx_set_options(SSL_CTX *ctx, uint64_t options);
long ki_ssl_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode);
long ki_ssl_ctx_set_mode(SSL_CTX *ctx, long mode);
int ki_ssl_ctx_set1_groups_list(SSL_CTX *ctx, const char *groups);

// SSL_OP_* option bits (macros built from casts, so invisible to Swift).
uint64_t ki_ssl_op_no_renegotiation(void);
uint64_t ki_ssl_op_cipher_server_preference(void);
uint64_t ki_ssl_op_no_compression(void);
uint64_t ki_ssl_op_no_ticket(void);

// The protocol versions, as ints Swift can pass back.
int ki_tls1_2_version(void);
int ki_tls1_3_version(void);

// Certificates and keys from PEM bytes in memory. Returns 1 on success, 0 when unusable.
int ki_ssl_ctx_use_certificate_chain_pem(SSL_CTX *ctx, const uint8_t *pem, size_t length);
// Returns -1 when the key is readable but does not belong to the certificate already set.
int ki_ssl_ctx_use_private_key_pem(SSL_CTX *ctx, const uint8_t *pem, size_t length);
// Client-certificate verification against the CA certificates in `pem`. Returns 1 on success.
int ki_ssl_ctx_require_client_certificate_pem(SSL_CTX *ctx, const uint8_t *pem, size_t length);

// notAfter of the first certificate in `pem` as seconds since the epoch; 0 when unreadable.
int64_t ki_pem_certificate_not_after(const uint8_t *pem, size_t length);
// notAfter of the certificate an SSL_CTX serves; 0 when none.
int64_t ki_ssl_ctx_certificate_not_after(SSL_CTX *ctx);

// ALPN: the server selects "http/1.1" and answers a client that offers only other protocols
// with the no_application_protocol alert (RFC 7301). A client that offers no ALPN is accepted.
void ki_ssl_ctx_set_alpn_http11_only(SSL_CTX *ctx);

// The connection's one BIO, read and written by `ssl` (which owns it): a pipe between OpenSSL and
// the event loop. Ciphertext from the network is lent, not copied: ki_pipe_lend_input points
// OpenSSL at the caller's bytes, which it reads straight into its record buffer, and
// ki_pipe_keep_input copies whatever it left unread before the caller's bytes go away.
// Ciphertext for the network collects in the pipe until ki_pipe_take_output. Unlike a memory
// BIO, nothing is zeroed and nothing is copied twice. NULL when out of memory.
BIO *ki_ssl_attach_pipe(SSL *ssl);
void ki_pipe_lend_input(BIO *pipe, const uint8_t *bytes, size_t length);
// Returns 0 when the unread bytes could not be kept (out of memory); the input is then dropped.
int ki_pipe_keep_input(BIO *pipe);
size_t ki_pipe_input_pending(BIO *pipe);
size_t ki_pipe_output_pending(BIO *pipe);
// Moves up to `capacity` bytes of output into `buffer`; returns how many.
size_t ki_pipe_take_output(BIO *pipe, uint8_t *buffer, size_t capacity);

// All queued OpenSSL errors as one line into `buffer` (always NUL-terminated); clears the queue.
// Returns the last error code, 0 when the queue was empty.
unsigned long ki_err_drain(char *buffer, size_t capacity);

// A throw-away self-signed certificate with an EC P-256 key, in memory, for `serve --dev`.
// `common_name` also becomes a DNS subjectAltName; `ip_address` (may be NULL) an IP one.
// On success returns 1 and sets *certificate_pem and *private_key_pem (free with ki_free).
int ki_generate_self_signed_p256(const char *common_name, const char *ip_address, int valid_days,
                                 char **certificate_pem, char **private_key_pem);
void ki_free(void *pointer);

#endif
