// The libcurl functions Xerces-C's network accessor calls, for a Xerces linked statically
// (TAXII_XERCES_STATIC, bindings/xml/CMakeLists.txt). Each one fails: the parser never
// fetches anything, so the process does not need libcurl and the thirty-odd libraries behind
// it (GnuTLS, Kerberos, LDAP, SSH, RTMP...), which cost every `taxii` and `taxiid` start
// ~10 ms of loading and a TLS library's global initialisation, and widen what a server
// facing the network has mapped. docs/security.md, "The XML parser has no network".
//
// Nothing should reach these: xml_parser.cpp refuses every external resource in its
// entity resolver and grammar_pool.cpp removes the net accessor right after
// XMLPlatformUtils::Initialize.
// They are the floor under those two: should a URL still get to Xerces' accessor, its
// stream sees a transfer that ended with "couldn't connect" and throws NetAccessorException.
//
// Signatures follow libcurl's C ABI (curl/curl.h, curl/multi.h); enums are passed as int.

#include <cstddef>

namespace {

struct CurlMsg {  // CURLMsg: CURLMSG msg; CURL* easy_handle; union { void*; CURLcode result; }
  int msg;
  void* easy_handle;
  union {
    void* whatever;
    int result;
  } data;
};

constexpr int kCurleFailedInit = 2;      // CURLE_FAILED_INIT
constexpr int kCurleCouldntConnect = 7;  // CURLE_COULDNT_CONNECT
constexpr int kCurlmOk = 0;              // CURLM_OK
constexpr int kCurlmsgDone = 1;          // CURLMSG_DONE

// Any non-null handle will do: the functions below never look behind it.
int easy_handle_token;
int multi_handle_token;

}  // namespace

extern "C" {

int curl_global_init(long /*flags*/) { return kCurleFailedInit; }
void curl_global_cleanup(void) {}

void* curl_easy_init(void) { return &easy_handle_token; }
void curl_easy_cleanup(void* /*easy*/) {}
int curl_easy_setopt(void* /*easy*/, int /*option*/, ...) { return kCurleFailedInit; }
int curl_easy_getinfo(void* /*easy*/, int /*info*/, ...) { return kCurleFailedInit; }  // leaves outputs unset

void* curl_multi_init(void) { return &multi_handle_token; }
int curl_multi_cleanup(void* /*multi*/) { return kCurlmOk; }
int curl_multi_add_handle(void* /*multi*/, void* /*easy*/) { return kCurlmOk; }
int curl_multi_remove_handle(void* /*multi*/, void* /*easy*/) { return kCurlmOk; }
int curl_multi_perform(void* /*multi*/, int* running) {
  if (running != nullptr) *running = 0;
  return kCurlmOk;
}
// Every transfer is reported finished, having failed to connect.
void* curl_multi_info_read(void* /*multi*/, int* left) {
  static thread_local CurlMsg done;
  done = CurlMsg{};
  done.msg = kCurlmsgDone;
  done.easy_handle = &easy_handle_token;
  done.data.result = kCurleCouldntConnect;
  if (left != nullptr) *left = 0;
  return &done;
}
int curl_multi_fdset(void* /*multi*/, void* /*r*/, void* /*w*/, void* /*e*/, int* max_fd) {
  if (max_fd != nullptr) *max_fd = -1;
  return kCurlmOk;
}
int curl_multi_timeout(void* /*multi*/, long* timeout_ms) {
  if (timeout_ms != nullptr) *timeout_ms = 0;
  return kCurlmOk;
}
void* curl_slist_append(void* list, const char* /*s*/) { return list; }
void curl_slist_free_all(void* /*list*/) {}

}  // extern "C"
