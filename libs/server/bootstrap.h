#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libs/auth/revocation.h"
#include "libs/auth/token.h"
#include "libs/log/logger.h"
#include "libs/server/call.h"
#include "libs/server/server_runner.h"
#include "libs/server/service_credentials.h"
#include "libs/store/database.h"

namespace onewindow::server {

// What differs between backends' start-up.
struct ProcessSpec {
  std::string name;
  std::string usage;
  int default_port;
  int default_metrics_port;
  const std::vector<store::Migration>* migrations;
};

// A backend process's shared parts, ready for its handlers.
struct Process {
  log::Logger logger;
  // Mints this process's own SERVICE tokens for calls to other backends.
  std::unique_ptr<auth::TokenSigner> signer;
  // This process's SERVICE token, minted by `signer` once a minute.
  std::unique_ptr<ServiceCredentials> credentials;
  std::unique_ptr<auth::RevocationList> revocations;
  std::unique_ptr<auth::RevocationPoller> revocation_poller;
  std::unique_ptr<PrincipalVerifier> verifier;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<ServerRunner> runner;
  std::unique_ptr<CallRunner> calls;
};

// The start-up every backend shares: signals, flags (with OW_* overrides),
// the JSON logger, the effective config, the principal verifier, the store
// with its migrations, the server runner. Broken configuration ends the
// process here with a message naming it.
Process Bootstrap(int argc, char** argv, const ProcessSpec& spec);

// A SERVICE principal token for this process, for calls to other backends
// (process.credentials' current one).
std::string ServiceToken(const Process& process);

// Starts serving and blocks until SIGTERM/SIGINT, then drains and closes the
// store. Returns the process exit code.
int ServeUntilSignal(Process& process);

}  // namespace onewindow::server
