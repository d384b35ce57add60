// The HTTP baseline: a minimal Beast server answering every request with a fixed JSON body,
// on the same Boost, compiler flags and machine as motcua. bench/http/run.sh drives both with
// wrk in one run.
//
//   minimal_server <port> [threads]

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

const std::string kBody =
    "{\"id\":\"019abc0000000000beef\",\"version\":3,\"number\":\"000.17.22.H56-260302-0001\","
    "\"status\":\"in_processing\",\"portal_status\":4}";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void Read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->Write();
                     });
  }

 private:
  void Write() {
    res_ = http::response<http::string_body>(http::status::ok, req_.version());
    res_.set(http::field::content_type, "application/json");
    res_.body() = kBody;
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec && self->res_.keep_alive()) self->Read();
                      });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void Accept(tcp::acceptor& a, net::io_context& ioc) {
  a.async_accept(net::make_strand(ioc), [&a, &ioc](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<Session>(std::move(s))->Read();
    Accept(a, ioc);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned short port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 8090);
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  Accept(acceptor, ioc);
  std::vector<std::thread> ts;
  for (int i = 1; i < threads; ++i) ts.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  return 0;
}
