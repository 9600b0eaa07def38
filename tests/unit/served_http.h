#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "libs/log/logger.h"
#include "services/gateway/http_server.h"

namespace onewindow::gateway {

// An HttpServer on a free loopback port, served by one thread.
struct ServedHttp {
  explicit ServedHttp(HttpHandler* handler, HttpLimits limits = {})
      : server(io, handler, limits, log::Logger::Stderr("gateway_unit_test")) {
    REQUIRE(server.Listen("127.0.0.1:0").ok());
    thread = std::thread([this] { io.run(); });
  }
  ~ServedHttp() {
    work.reset();
    io.stop();
    thread.join();
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
      boost::asio::make_work_guard(io);
  HttpServer server;
  std::thread thread;
};

}  // namespace onewindow::gateway
