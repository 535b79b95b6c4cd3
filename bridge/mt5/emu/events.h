// MQL5 emulation, part 7: the program's events, chart output and its `input` parameters.
#pragma once
#include <functional>
#include "trade.h"

#define INIT_SUCCEEDED 0
#define INIT_FAILED 1
#define INIT_PARAMETERS_INCORRECT 32767
#define REASON_PROGRAM 0
#define REASON_REMOVE 1
#define REASON_CLOSE 9
#define REASON_INITFAILED 8

namespace mql {
inline long g_timerMs = 0;
inline std::string g_comment;
inline std::map<std::string, std::function<void(const std::string &)>> g_inputs;

// The build script turns `input T Name = value;` into a global plus this registration, so the
// runner can set inputs from the command line the way the terminal's Inputs tab does.
template <typename T>
bool RegisterInput(const char *name, T &variable) {
  g_inputs[name] = [&variable](const std::string &text) {
    if constexpr (std::is_same<T, String>::value) variable = String(text.c_str());
    else if constexpr (std::is_same<T, bool>::value) variable = text == "true" || text == "1";
    else if constexpr (std::is_floating_point<T>::value) variable = std::stod(text);
    else variable = static_cast<T>(std::stoll(text));
  };
  return true;
}
}  // namespace mql

inline bool EventSetMillisecondTimer(int milliseconds) {
  if (milliseconds <= 0) { mql::g_lastError = 4030; return false; }
  mql::g_timerMs = milliseconds;
  return true;
}
inline bool EventSetTimer(int seconds) { return EventSetMillisecondTimer(seconds * 1000); }
inline void EventKillTimer() { mql::g_timerMs = 0; }
inline void ExpertRemove() { mql::g_stopped = true; }
// The chart's comment line; there is no chart, so the runner writes it beside the data folder.
template <typename... A>
void Comment(const A &...args) {
  std::string text;
  ((text += mql::PrintPiece(args)), ...);
  mql::g_comment = text;
}

// Handlers the terminal calls when the program defines them.
int OnInit() __attribute__((weak));
void OnDeinit(const int reason) __attribute__((weak));
void OnTimer() __attribute__((weak));
void OnTick() __attribute__((weak));
void OnTradeTransaction(const MqlTradeTransaction &trans, const MqlTradeRequest &request, const MqlTradeResult &result) __attribute__((weak));
