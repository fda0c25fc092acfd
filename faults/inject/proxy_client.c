/* proxy_client.c: see proxy_client.h. */
#include "proxy_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"

static int fail(char *err, size_t cap, const char *path, const char *what, int e) {
  snprintf(err, cap, "proxy control %s: %s%s%s", path, what, e ? ": " : "", e ? strerror(e) : "");
  return -1;
}

int sp_proxy_command(const char *control_path, const char *cmd, int timeout_ms, char *reply,
                     size_t reply_cap, char *err, size_t err_cap) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (!control_path || strlen(control_path) >= sizeof addr.sun_path)
    return fail(err, err_cap, control_path ? control_path : "(none)", "no usable socket path", 0);
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", control_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(err, err_cap, control_path, "socket", errno);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int e = errno;
    close(fd);
    return fail(err, err_cap, control_path, "connect", e);
  }
  char line[512];
  int len = snprintf(line, sizeof line, "%s\n", cmd);
  if (len >= (int)sizeof line || send(fd, line, (size_t)len, MSG_NOSIGNAL) != len) {
    int e = errno;
    close(fd);
    return fail(err, err_cap, control_path, "sending the command", e);
  }
  uint64_t deadline = sp_mono_ns() + (uint64_t)timeout_ms * 1000000u;
  size_t got = 0;
  int rc = -1;
  for (;;) {
    uint64_t now = sp_mono_ns();
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int left = now >= deadline ? 0 : (int)((deadline - now) / 1000000u) + 1;
    int r = left ? poll(&pfd, 1, left) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      fail(err, err_cap, control_path, "no reply within the timeout", 0);
      break;
    }
    ssize_t n = recv(fd, reply + got, reply_cap - 1 - got, 0);
    if (n <= 0) {
      fail(err, err_cap, control_path, "connection closed before the reply", n < 0 ? errno : 0);
      break;
    }
    got += (size_t)n;
    reply[got] = 0;
    char *nl = strchr(reply, '\n');
    if (nl || got == reply_cap - 1) {
      if (nl) *nl = 0;
      if (strncmp(reply, "ok", 2) == 0) rc = 0;
      else snprintf(err, err_cap, "proxy rejected '%s': %s", cmd, reply);
      break;
    }
  }
  close(fd);
  return rc;
}
