// RequestHooks: several features sharing httplib's two per-request slots.
// httplib has one pre-routing handler and one logger per server; the
// bearer-token check, the access log and the /metrics timing each need
// them. RequestHooks takes both slots and calls every registered hook in
// registration order.
//
// Thread safety: register every hook before the server starts; afterwards
// the lists are only read (by httplib's worker threads).
#ifndef LSMKV_EXAMPLES_KVSERVER_REQUEST_HOOKS_H_
#define LSMKV_EXAMPLES_KVSERVER_REQUEST_HOOKS_H_

#include <httplib.h>

#include <functional>
#include <vector>

namespace kvserver {

class RequestHooks {
 public:
  // Returns Handled when it answered the request itself (e.g. 401): routing
  // and the later before-routing hooks are then skipped.
  using BeforeRouting = std::function<httplib::Server::HandlerResponse(const httplib::Request&, httplib::Response&)>;
  // Called once the response is written, for every request, including
  // those a before-routing hook answered.
  using AfterResponse = std::function<void(const httplib::Request&, const httplib::Response&)>;

  // Takes server's pre-routing handler and logger; server must outlive
  // this object, and nothing else may set those two slots.
  explicit RequestHooks(httplib::Server* server);
  RequestHooks(const RequestHooks&) = delete;
  RequestHooks& operator=(const RequestHooks&) = delete;

  void AddBeforeRouting(BeforeRouting hook) { before_.push_back(std::move(hook)); }
  void AddAfterResponse(AfterResponse hook) { after_.push_back(std::move(hook)); }

 private:
  std::vector<BeforeRouting> before_;
  std::vector<AfterResponse> after_;
};

}  // namespace kvserver

#endif  // LSMKV_EXAMPLES_KVSERVER_REQUEST_HOOKS_H_
