#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace onewindow::testing {

// A free TCP port on 127.0.0.1 (bound, read back, released). A small race
// with other processes remains; callers retry start-up on EADDRINUSE.
int FreePort();

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process whose stdout and stderr go to `log_path`. It dies with the
// test (PR_SET_PDEATHSIG), so a crashed test leaves nothing running.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  absl::Status Start(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env, const std::string& log_path);
  bool running();
  // Sends `signal` and waits up to `timeout` for the exit; SIGKILL after.
  // Returns the exit status as waitpid reports it.
  int Stop(int signal, absl::Duration timeout = absl::Seconds(15));
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Reads a whole file (for showing a process's log when a test fails).
std::string ReadFile(const std::string& path);

}  // namespace onewindow::testing
