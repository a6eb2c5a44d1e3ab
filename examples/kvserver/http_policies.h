// What the server applies to every request, whatever its route: bearer-token
// authentication and the access log. Both are request hooks on the server
// (RequestHooks), so routes added anywhere are covered.
#ifndef LSMKV_EXAMPLES_KVSERVER_HTTP_POLICIES_H_
#define LSMKV_EXAMPLES_KVSERVER_HTTP_POLICIES_H_

#include <httplib.h>

#include <cstdio>
#include <string>

#include "request_hooks.h"

namespace kvserver {

// True for addresses only this machine can reach: 127.0.0.0/8, ::1,
// "localhost". Anything else (0.0.0.0, a LAN address, a host name) is not.
bool IsLoopbackHost(const std::string& host);

// Every request except GET /health must carry "Authorization: Bearer
// <token>" (scheme case-insensitive); others get 401 with
// "WWW-Authenticate: Bearer" and a JSON error. The comparison takes the
// same time wherever the tokens differ. token must not be empty.
void RequireBearerToken(const std::string& token, RequestHooks* hooks);

// Writes one line per request to out once it is answered:
//   2026-11-30T16:40:01Z 127.0.0.1 "GET /get?key=a" 200 5
// (UTC time, client address, method, target, status, body bytes). Header
// values (the token) are never logged. out must outlive the server.
void LogEachRequest(std::FILE* out, RequestHooks* hooks);

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_HTTP_POLICIES_H_
