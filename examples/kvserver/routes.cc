#include "routes.h"

namespace kvserver {

std::optional<std::string> Param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

void Send(const Reply& reply, httplib::Response* res) {
  res->status = reply.status;
  for (const auto& [name, value] : reply.headers) res->set_header(name.c_str(), value);
  res->set_content(reply.body, reply.content_type.c_str());
}

void AddRoutes(const KvService& service, RouteTable* routes) {
  // The body is read through a ContentReader so an over-long one is cut off
  // after max_body_bytes (and answered 400) instead of being buffered.
  auto set = [&service](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& content_reader) {
    std::string body;
    bool too_long = false;
    content_reader([&](const char* data, size_t length) {
      if (body.size() + length > service.max_body_bytes()) {
        too_long = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    if (too_long) {
      Send(KvService::Error(400, "body larger than " + std::to_string(service.max_body_bytes()) +
                                     " bytes"),
           &res);
      return;
    }
    Send(service.Set(req.get_header_value("Content-Type"), body), &res);
  };

  routes->Get("/get", [&service](const httplib::Request& req, httplib::Response& res) {
    Send(service.Get(Param(req, "key")), &res);
  });
  routes->Post("/set", set);
  routes->Post("/test", set);  // the path the original notes' client posts to
  routes->Delete("/del", [&service](const httplib::Request& req, httplib::Response& res) {
    Send(service.Delete(Param(req, "key")), &res);
  });
  routes->Get("/scan", [&service](const httplib::Request& req, httplib::Response& res) {
    Send(service.Scan(ScanRequest{Param(req, "start"), Param(req, "end"), Param(req, "limit"),
                                  Param(req, "encoding"), Param(req, "cursor")}),
         &res);
  });
  routes->Get("/stats", [&service](const httplib::Request&, httplib::Response& res) {
    Send(service.Stats(), &res);
  });
  routes->Get("/health", [&service](const httplib::Request&, httplib::Response& res) {
    Send(service.Health(), &res);
  });
}

}  // namespace kvserver
