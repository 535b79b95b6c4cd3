// The terminal around the EA: command line, OnInit, then the event loop (ticks from the control
// file, trade transactions, the timer) until SIGTERM, then OnDeinit. See README, "The EA as a
// test program".
#pragma once
#include <csignal>

namespace mql {
inline void Usage(const char *why) {
  std::fprintf(stderr,
               "%s\nusage: sortie-bridge --server URL --token TOKEN --data DIR [--balance 10000] [--currency USD]\n"
               "       [--symbols EURUSD,GBPUSD.m] [--account netting|hedging] [--filling fok|ioc|return]\n"
               "       [--transport http|file] [--input Name=value]...\n",
               why);
  std::exit(2);
}
inline void OnSignal(int) { g_stopped = true; }

inline void DeliverTransactions() {
  while (!g_broker.pending.empty()) {
    Transaction t = g_broker.pending.front();
    g_broker.pending.erase(g_broker.pending.begin());
    if (OnTradeTransaction) OnTradeTransaction(t.trans, t.request, t.result);
  }
}

inline int RunTerminal(int argc, char **argv) {
  std::map<std::string, std::string> options = {{"--balance", "10000"}, {"--currency", "USD"}, {"--symbols", "EURUSD,GBPUSD"},
                                                {"--account", "netting"}, {"--filling", "fok"}, {"--transport", "http"}};
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; i++) {
    std::string flag = argv[i];
    if (i + 1 >= argc) Usage(("missing value for " + flag).c_str());
    if (flag == "--input") inputs.push_back(argv[++i]);
    else if (options.count(flag) || flag == "--server" || flag == "--token" || flag == "--data") options[flag] = argv[++i];
    else Usage(("unknown option " + flag).c_str());
  }
  if (!options.count("--data")) Usage("--data is required");
  g_dataDir = options["--data"];
  MakeDirs(g_dataDir + "/broker");
  MakeDirs(SandboxRoot(false));
  MakeDirs(SandboxRoot(true));
  g_broker.hedging = options["--account"] == "hedging";
  g_broker.currency = options["--currency"];
  g_broker.balance = std::stod(options["--balance"]);
  std::stringstream names(options["--symbols"]);
  std::string name;
  while (std::getline(names, name, ','))
    if (!name.empty()) g_broker.symbols.push_back(MakeSymbol(name, options["--filling"]));
  LoadState();  // a restart on the same DIR finds the account as the broker kept it
  ReadControl();
  if (options.count("--server")) g_allowedUrls.push_back(options["--server"]);

  auto setInput = [](const std::string &name, const std::string &value) {
    if (!g_inputs.count(name)) Usage(("the EA has no input " + name).c_str());
    g_inputs[name](value);
  };
  // The Sortie EA's own inputs, when the program has them (OnInit checks that they are usable).
  if (options.count("--server") && g_inputs.count("ServerUrl")) setInput("ServerUrl", options["--server"]);
  if (options.count("--token") && g_inputs.count("BridgeToken")) setInput("BridgeToken", options["--token"]);
  if (g_inputs.count("Transport")) setInput("Transport", options["--transport"] == "file" ? "1" : "0");
  for (auto &assignment : inputs) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos) Usage("--input needs Name=value");
    setInput(assignment.substr(0, eq), assignment.substr(eq + 1));
  }

  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  int init = OnInit ? OnInit() : INIT_SUCCEEDED;
  if (init != INIT_SUCCEEDED) {
    if (OnDeinit) OnDeinit(REASON_INITFAILED);
    std::fprintf(stderr, "OnInit failed with %d\n", init);
    return 1;
  }
  long nextTimer = NowMilliseconds() + g_timerMs;
  while (!g_stopped) {
    bool ticked = ReadControl();
    if (TriggerStops()) ticked = true;
    DeliverTransactions();
    if (ticked && OnTick && !g_stopped) { OnTick(); DeliverTransactions(); }
    if (g_timerMs > 0 && NowMilliseconds() >= nextTimer && !g_stopped) {
      if (OnTimer) OnTimer();
      DeliverTransactions();
      nextTimer = NowMilliseconds() + g_timerMs;
    }
    Sleep(20);
  }
  if (OnDeinit) OnDeinit(REASON_CLOSE);
  SaveState();
  return 0;
}
}  // namespace mql

int main(int argc, char **argv) { return mql::RunTerminal(argc, argv); }
