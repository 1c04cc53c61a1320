#ifndef C_CURL_SHIM_H
#define C_CURL_SHIM_H

// Thin, typed, non-variadic wrappers over libcurl for Swift (which cannot call C variadic functions).
// No logic here: each function forwards to one libcurl call.

#include <curl/curl.h>
#include <stddef.h>

/// Signature shared by CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION.
typedef size_t (*ccurl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);

CURLcode ccurl_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_pointer(CURL *easy, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_data_callback(CURL *easy, CURLoption option, ccurl_data_callback callback);
/// For *_BLOB options; libcurl copies the bytes (CURL_BLOB_COPY), so the caller's buffer may go away.
CURLcode ccurl_easy_setopt_blob(CURL *easy, CURLoption option, const void *data, size_t length);

CURLcode ccurl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_double(CURL *easy, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// CURLMsg's `data` is a union; these read it without Swift having to know its layout.
CURLMSG ccurl_message_kind(const CURLMsg *message);
CURL *ccurl_message_easy(const CURLMsg *message);
CURLcode ccurl_message_result(const CURLMsg *message);

/// Return values libcurl defines as macros, which Swift does not import.
long ccurl_global_all(void);
size_t ccurl_write_pause(void);

#endif
