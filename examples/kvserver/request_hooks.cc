#include "request_hooks.h"

namespace kvserver {

RequestHooks::RequestHooks(httplib::Server* server) {
  server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    for (const BeforeRouting& hook : before_) {
      if (hook(req, res) == httplib::Server::HandlerResponse::Handled) {
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    for (const AfterResponse& hook : after_) hook(req, res);
  });
}

}  // namespace kvserver
