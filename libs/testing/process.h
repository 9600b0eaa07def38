#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// Runs a program to its end, its stdout and stderr going to `log_path`, and
// returns its exit code: -1 when a signal ended it, also the SIGKILL sent
// once `timeout` has passed. An error only when it could not be started.
// (ChildProcess::running() reaps a child without keeping its status, so a
// caller that polls it cannot learn the code.)
absl::StatusOr<int> RunToExit(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& env,
                              const std::string& log_path, absl::Duration timeout);

// Reads a whole file (for showing a process's log when a test fails).
std::string ReadFile(const std::string& path);

}  // namespace onewindow::testing
