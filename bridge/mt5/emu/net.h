// MQL5 emulation, part 4: WebRequest. Real blocking HTTP/1.1 over a socket (plain http:// only:
// the tests' server listens on loopback), with the terminal's rules: the URL must be on the
// "Allow WebRequest for listed URL" list (4014 otherwise), 5200 invalid URL, 5201 cannot
// connect, 5202 timeout, 5203 request failed. Returns the HTTP status, or -1 with the error set.
#pragma once
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include "files.h"

namespace mql {
inline std::vector<std::string> g_allowedUrls;

inline int WebFail(int code) { g_lastError = code; return -1; }

// Waits until the socket is ready for `events` or the deadline passes (false).
inline bool WaitSocket(int fd, short events, long deadlineMs) {
  for (;;) {
    long left = deadlineMs - NowMilliseconds();
    if (left <= 0) return false;
    struct pollfd p = {fd, events, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<long>(left, 200)));
    if (ready > 0) return true;
    if (g_stopped) return false;
  }
}

inline std::string DecodeChunked(const std::string &body) {
  std::string out;
  size_t at = 0;
  while (at < body.size()) {
    size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    size_t size = std::strtoul(body.substr(at, eol - at).c_str(), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
  return out;
}
}  // namespace mql

inline int WebRequest(const string &method, const string &url, const string &headers, int timeoutMs,
                      const MqlArray<char> &data, MqlArray<char> &result, string &resultHeaders) {
  std::string target = url.utf8();
  bool allowed = false;
  for (auto &prefix : mql::g_allowedUrls) allowed = allowed || target.rfind(prefix, 0) == 0;
  if (!allowed) return mql::WebFail(4014);
  if (target.rfind("http://", 0) != 0) return mql::WebFail(5200);
  std::string rest = target.substr(7);
  size_t slash = rest.find('/');
  std::string hostPort = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = hostPort.substr(0, hostPort.find(':'));
  std::string port = hostPort.find(':') == std::string::npos ? "80" : hostPort.substr(hostPort.find(':') + 1);
  if (host.empty()) return mql::WebFail(5200);
  long deadline = NowMilliseconds() + timeoutMs;

  struct addrinfo hints = {}, *found = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) return mql::WebFail(5201);
  int fd = socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK, found->ai_protocol);
  int connected = fd < 0 ? -1 : connect(fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (fd < 0) return mql::WebFail(5201);
  if (connected != 0 && errno != EINPROGRESS) { close(fd); return mql::WebFail(5201); }
  int soError = 0;
  socklen_t length = sizeof soError;
  if (!mql::WaitSocket(fd, POLLOUT, deadline)) { close(fd); return mql::WebFail(5202); }
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length);
  if (soError != 0) { close(fd); return mql::WebFail(5201); }

  std::string request = method.utf8() + " " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n" +
                        "User-Agent: MetaTrader 5 Terminal/5.0 (emulated)\r\n" + headers.utf8();
  if (!request.empty() && request.substr(request.size() - 2) != "\r\n") request += "\r\n";
  if (ArraySize(data) > 0 || method.utf8() == "POST") request += "Content-Length: " + std::to_string(ArraySize(data)) + "\r\n";
  request += "\r\n";
  request.append(data.items.begin(), data.items.end());
  size_t sent = 0;
  while (sent < request.size()) {
    if (!mql::WaitSocket(fd, POLLOUT, deadline)) { close(fd); return mql::WebFail(5202); }
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) { close(fd); return mql::WebFail(5203); }
    if (n > 0) sent += n;
  }
  std::string response;
  char buffer[16384];
  for (;;) {
    if (!mql::WaitSocket(fd, POLLIN, deadline)) { close(fd); return mql::WebFail(5202); }
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      close(fd);
      return mql::WebFail(5203);
    }
    response.append(buffer, n);
  }
  close(fd);
  size_t headerEnd = response.find("\r\n\r\n");
  if (response.rfind("HTTP/", 0) != 0 || headerEnd == std::string::npos) return mql::WebFail(5203);
  std::string head = response.substr(0, headerEnd);
  std::string body = response.substr(headerEnd + 4);
  std::string lowered = head;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
  if (lowered.find("transfer-encoding: chunked") != std::string::npos) body = mql::DecodeChunked(body);
  int status = std::atoi(head.substr(head.find(' ') + 1).c_str());
  resultHeaders = string(head.substr(head.find("\r\n") + 2).c_str());
  result.items.assign(body.begin(), body.end());
  return status;
}
