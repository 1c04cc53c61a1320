#include "COpenSSL.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

int ki_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
int ki_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_max_proto_version(ctx, version); }
long ki_ssl_ctx_set_options(SSL_CTX *ctx, uint64_t options) { return (long)SSL_CTX_set_options(ctx, options); }
long ki_ssl_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
long ki_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
int ki_ssl_ctx_set1_groups_list(SSL_CTX *ctx, const char *groups) { return (int)SSL_CTX_set1_groups_list(ctx, groups); }
uint64_t ki_ssl_op_no_renegotiation(void) { return (uint64_t)SSL_OP_NO_RENEGOTIATION; }
uint64_t ki_ssl_op_cipher_server_preference(void) { return (uint64_t)SSL_OP_CIPHER_SERVER_PREFERENCE; }
uint64_t ki_ssl_op_no_compression(void) { return (uint64_t)SSL_OP_NO_COMPRESSION; }
uint64_t ki_ssl_op_no_ticket(void) { return (uint64_t)SSL_OP_NO_TICKET; }
int ki_tls1_2_version(void) { return TLS1_2_VERSION; }
int ki_tls1_3_version(void) { return TLS1_3_VERSION; }

// PEM_read_* leaves "no start line" on the queue at the end of a multi-certificate buffer.
static void clear_expected_end_of_pem(void) {
    unsigned long err = ERR_peek_last_error();
    if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
    }
}

int ki_ssl_ctx_use_certificate_chain_pem(SSL_CTX *ctx, const uint8_t *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return 0;
    X509 *leaf = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
    if (leaf == NULL) { BIO_free(bio); return 0; }
    int ok = SSL_CTX_use_certificate(ctx, leaf);
    X509_free(leaf);
    if (ok == 1) {
        SSL_CTX_clear_chain_certs(ctx);
        X509 *intermediate;
        while ((intermediate = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            if (SSL_CTX_add0_chain_cert(ctx, intermediate) != 1) { X509_free(intermediate); ok = 0; break; }
        }
        if (ok == 1) clear_expected_end_of_pem();
    }
    BIO_free(bio);
    return ok == 1 ? 1 : 0;
}

int ki_ssl_ctx_use_private_key_pem(SSL_CTX *ctx, const uint8_t *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return 0;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (key == NULL) return 0;
    // SSL_CTX_use_PrivateKey refuses a key that does not match the certificate with the same
    // status as an unusable key; checked first so the caller can tell the two apart.
    X509 *certificate = SSL_CTX_get0_certificate(ctx);
    if (certificate != NULL && X509_check_private_key(certificate, key) != 1) {
        EVP_PKEY_free(key);
        return -1;
    }
    int ok = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    return ok == 1 ? 1 : 0;
}

int ki_ssl_ctx_require_client_certificate_pem(SSL_CTX *ctx, const uint8_t *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return 0;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    X509 *ca;
    while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        int ok = X509_STORE_add_cert(store, ca) == 1 && SSL_CTX_add_client_CA(ctx, ca) == 1;
        X509_free(ca);
        if (!ok) { BIO_free(bio); return 0; }
        count++;
    }
    BIO_free(bio);
    if (count == 0) return 0;
    clear_expected_end_of_pem();
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return 1;
}

static int64_t not_after_of(const X509 *certificate) {
    const ASN1_TIME *not_after = X509_get0_notAfter(certificate);
    struct tm tm;
    if (not_after == NULL || ASN1_TIME_to_tm(not_after, &tm) != 1) return 0;
    return (int64_t)timegm(&tm);
}

int64_t ki_pem_certificate_not_after(const uint8_t *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (bio == NULL) return 0;
    X509 *certificate = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (certificate == NULL) { ERR_clear_error(); return 0; }
    int64_t result = not_after_of(certificate);
    X509_free(certificate);
    return result;
}

int64_t ki_ssl_ctx_certificate_not_after(SSL_CTX *ctx) {
    X509 *certificate = SSL_CTX_get0_certificate(ctx);
    return certificate == NULL ? 0 : not_after_of(certificate);
}

static int select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char http11[] = "\x08http/1.1";
    unsigned char *selected = NULL;
    unsigned char selected_length = 0;
    (void)ssl; (void)arg;
    if (SSL_select_next_proto(&selected, &selected_length, http11, sizeof(http11) - 1, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        *outlen = selected_length;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

void ki_ssl_ctx_set_alpn_http11_only(SSL_CTX *ctx) { SSL_CTX_set_alpn_select_cb(ctx, select_http11, NULL); }

// The pipe's state. Input is read from `held` (bytes kept from an earlier loan) first, then from
// the current loan; output is one growing buffer, emptied by ki_pipe_take_output.
typedef struct {
    const uint8_t *lent;
    size_t lent_length;
    uint8_t *held;
    size_t held_start, held_end, held_capacity;
    uint8_t *output;
    size_t output_length, output_capacity;
} ki_pipe;

// Appends to a growing buffer (doubling, from 4 KiB); 0 when out of memory, the buffer unchanged.
static int append_bytes(uint8_t **data, size_t *length, size_t *capacity, const uint8_t *bytes, size_t count) {
    if (*length + count > *capacity) {
        size_t grown_capacity = *capacity < 4096 ? 4096 : *capacity;
        while (grown_capacity < *length + count) grown_capacity *= 2;
        uint8_t *grown = realloc(*data, grown_capacity);
        if (grown == NULL) return 0;
        *data = grown;
        *capacity = grown_capacity;
    }
    memcpy(*data + *length, bytes, count);
    *length += count;
    return 1;
}

static int pipe_create(BIO *bio) {
    ki_pipe *pipe = calloc(1, sizeof(ki_pipe));
    if (pipe == NULL) return 0;
    BIO_set_data(bio, pipe);
    BIO_set_init(bio, 1);
    return 1;
}

static int pipe_destroy(BIO *bio) {
    ki_pipe *pipe = BIO_get_data(bio);
    if (pipe != NULL) {
        free(pipe->held);
        free(pipe->output);
        free(pipe);
        BIO_set_data(bio, NULL);
    }
    return 1;
}

static int pipe_read(BIO *bio, char *buffer, size_t wanted, size_t *read) {
    ki_pipe *pipe = BIO_get_data(bio);
    size_t done = 0;
    BIO_clear_retry_flags(bio);
    if (pipe->held_end > pipe->held_start) {
        size_t n = pipe->held_end - pipe->held_start;
        if (n > wanted) n = wanted;
        memcpy(buffer, pipe->held + pipe->held_start, n);
        pipe->held_start += n;
        done = n;
        if (pipe->held_start == pipe->held_end) pipe->held_start = pipe->held_end = 0;
    }
    if (done < wanted && pipe->lent_length > 0) {
        size_t n = pipe->lent_length;
        if (n > wanted - done) n = wanted - done;
        memcpy(buffer + done, pipe->lent, n);
        pipe->lent += n;
        pipe->lent_length -= n;
        done += n;
    }
    *read = done;
    if (done == 0) {
        // Empty means "wait for more bytes", not end of stream.
        BIO_set_retry_read(bio);
        return 0;
    }
    return 1;
}

static int pipe_write(BIO *bio, const char *bytes, size_t length, size_t *written) {
    ki_pipe *pipe = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (!append_bytes(&pipe->output, &pipe->output_length, &pipe->output_capacity, (const uint8_t *)bytes, length)) return 0;
    *written = length;
    return 1;
}

static long pipe_ctrl(BIO *bio, int command, long number, void *pointer) {
    ki_pipe *pipe = BIO_get_data(bio);
    (void)number; (void)pointer;
    switch (command) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return (long)(pipe->held_end - pipe->held_start + pipe->lent_length);
    case BIO_CTRL_WPENDING: return (long)pipe->output_length;
    default: return 0;
    }
}

static BIO_METHOD *pipe_method_made = NULL;
static pthread_once_t pipe_method_once = PTHREAD_ONCE_INIT;

static void make_pipe_method(void) {
    int index = BIO_get_new_index();
    if (index == -1) return;
    BIO_METHOD *made = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "kube-injector pipe");
    if (made == NULL) return;
    BIO_meth_set_create(made, pipe_create);
    BIO_meth_set_destroy(made, pipe_destroy);
    BIO_meth_set_read_ex(made, pipe_read);
    BIO_meth_set_write_ex(made, pipe_write);
    BIO_meth_set_ctrl(made, pipe_ctrl);
    pipe_method_made = made;
}

// Made once, by whichever event loop accepts first, and never freed: every BIO points at it.
static BIO_METHOD *pipe_method(void) {
    pthread_once(&pipe_method_once, make_pipe_method);
    return pipe_method_made;
}

BIO *ki_ssl_attach_pipe(SSL *ssl) {
    BIO_METHOD *method = pipe_method();
    if (method == NULL) return NULL;
    BIO *bio = BIO_new(method);
    if (bio == NULL) return NULL;
    // One BIO for both directions: SSL_set_bio takes the single reference for both.
    SSL_set_bio(ssl, bio, bio);
    return bio;
}

void ki_pipe_lend_input(BIO *bio, const uint8_t *bytes, size_t length) {
    ki_pipe *pipe = BIO_get_data(bio);
    pipe->lent = bytes;
    pipe->lent_length = length;
}

int ki_pipe_keep_input(BIO *bio) {
    ki_pipe *pipe = BIO_get_data(bio);
    size_t length = pipe->lent_length;
    const uint8_t *lent = pipe->lent;
    pipe->lent = NULL;
    pipe->lent_length = 0;
    if (length == 0) return 1;
    if (pipe->held_start > 0) {
        memmove(pipe->held, pipe->held + pipe->held_start, pipe->held_end - pipe->held_start);
        pipe->held_end -= pipe->held_start;
        pipe->held_start = 0;
    }
    return append_bytes(&pipe->held, &pipe->held_end, &pipe->held_capacity, lent, length);
}

size_t ki_pipe_input_pending(BIO *bio) {
    ki_pipe *pipe = BIO_get_data(bio);
    return pipe->held_end - pipe->held_start + pipe->lent_length;
}

size_t ki_pipe_output_pending(BIO *bio) {
    ki_pipe *pipe = BIO_get_data(bio);
    return pipe->output_length;
}

size_t ki_pipe_take_output(BIO *bio, uint8_t *buffer, size_t capacity) {
    ki_pipe *pipe = BIO_get_data(bio);
    size_t n = pipe->output_length < capacity ? pipe->output_length : capacity;
    memcpy(buffer, pipe->output, n);
    if (n < pipe->output_length) memmove(pipe->output, pipe->output + n, pipe->output_length - n);
    pipe->output_length -= n;
    // An idle connection keeps no large buffer (responses are a few KiB; a burst may be more).
    if (pipe->output_length == 0 && pipe->output_capacity > 64 * 1024) {
        free(pipe->output);
        pipe->output = NULL;
        pipe->output_capacity = 0;
    }
    return n;
}

unsigned long ki_err_drain(char *buffer, size_t capacity) {
    unsigned long last = 0, code;
    size_t used = 0;
    if (capacity == 0) return 0;
    buffer[0] = 0;
    while ((code = ERR_get_error()) != 0) {
        last = code;
        if (used + 2 < capacity) {
            if (used > 0) { buffer[used++] = ';'; buffer[used++] = ' '; buffer[used] = 0; }
            ERR_error_string_n(code, buffer + used, capacity - used);
            used = strlen(buffer);
        }
    }
    return last;
}

static int add_extension(X509 *certificate, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, certificate, certificate, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (extension == NULL) return 0;
    int ok = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    return ok;
}

static char *bio_to_string(BIO *bio) {
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    if (length <= 0) return NULL;
    char *copy = malloc((size_t)length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, data, (size_t)length);
    copy[length] = 0;
    return copy;
}

int ki_generate_self_signed_p256(const char *common_name, const char *ip_address, int valid_days,
                                 char **certificate_pem, char **private_key_pem) {
    int ok = 0;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *certificate = X509_new();
    BIGNUM *serial = BN_new();
    BIO *cert_bio = BIO_new(BIO_s_mem());
    BIO *key_bio = BIO_new(BIO_s_mem());
    char alt_names[512];
    if (key == NULL || certificate == NULL || serial == NULL || cert_bio == NULL || key_bio == NULL) goto done;
    if (X509_set_version(certificate, 2) != 1) goto done;
    if (BN_rand(serial, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) goto done;
    if (BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) == NULL) goto done;
    if (X509_gmtime_adj(X509_getm_notBefore(certificate), -300) == NULL) goto done;
    if (X509_gmtime_adj(X509_getm_notAfter(certificate), (long)valid_days * 86400L) == NULL) goto done;
    if (X509_set_pubkey(certificate, key) != 1) goto done;
    X509_NAME *name = X509_get_subject_name(certificate);
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)common_name, -1, -1, 0) != 1) goto done;
    if (X509_set_issuer_name(certificate, name) != 1) goto done;
    if (ip_address != NULL) snprintf(alt_names, sizeof(alt_names), "DNS:%s,IP:%s", common_name, ip_address);
    else snprintf(alt_names, sizeof(alt_names), "DNS:%s", common_name);
    if (!add_extension(certificate, NID_subject_alt_name, alt_names)) goto done;
    if (!add_extension(certificate, NID_ext_key_usage, "serverAuth")) goto done;
    if (X509_sign(certificate, key, EVP_sha256()) == 0) goto done;
    if (PEM_write_bio_X509(cert_bio, certificate) != 1) goto done;
    if (PEM_write_bio_PrivateKey(key_bio, key, NULL, NULL, 0, NULL, NULL) != 1) goto done;
    *certificate_pem = bio_to_string(cert_bio);
    *private_key_pem = bio_to_string(key_bio);
    if (*certificate_pem == NULL || *private_key_pem == NULL) {
        free(*certificate_pem); free(*private_key_pem);
        *certificate_pem = NULL; *private_key_pem = NULL;
        goto done;
    }
    ok = 1;
done:
    BIO_free(cert_bio);
    BIO_free(key_bio);
    BN_free(serial);
    X509_free(certificate);
    EVP_PKEY_free(key);
    return ok;
}

void ki_free(void *pointer) { free(pointer); }
