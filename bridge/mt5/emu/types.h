// MQL5 emulation, part 1: the language's types. MQL5 strings are UTF-16 (ushort characters), so
// `string` keeps a std::u16string; dynamic arrays (`T name[]`, rewritten to MqlArray<T> by the
// build script) are bounds-checked like MQL5's, where an out-of-range index stops the program.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef long datetime;
typedef uint color;

namespace mql {

inline std::u16string FromUtf8(const std::string &in) {
  std::u16string out;
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = in[i];
    uint32_t cp;
    int extra;
    if (c < 0x80) { cp = c; extra = 0; }
    else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
    else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
    else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; extra = 3; }
    else { out.push_back(0xFFFD); i++; continue; }
    bool ok = true;
    for (int k = 1; k <= extra; k++) {
      if (i + k >= in.size() || (static_cast<unsigned char>(in[i + k]) & 0xC0) != 0x80) { ok = false; break; }
      cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3F);
    }
    if (!ok) { out.push_back(0xFFFD); i++; continue; }
    i += extra + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

inline std::string ToUtf8(const std::u16string &in) {
  std::string out;
  for (size_t i = 0; i < in.size(); i++) {
    uint32_t cp = in[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < in.size() && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      i++;
    }
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
    else if (cp < 0x800) { out.push_back(static_cast<char>(0xC0 | (cp >> 6))); out.push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
    else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

// Stops the program the way the terminal stops an EA on a critical runtime error.
[[noreturn]] inline void CriticalError(const char *what) {
  std::fprintf(stderr, "critical runtime error: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

class String {
 public:
  std::u16string v;
  String() {}
  String(const char *text) : v(text ? FromUtf8(text) : std::u16string()) {}
  String(const std::u16string &text) : v(text) {}
  std::string utf8() const { return ToUtf8(v); }
  String &operator+=(const String &o) { v += o.v; return *this; }
  String &operator+=(const char *o) { v += FromUtf8(o); return *this; }
  friend String operator+(const String &a, const String &b) { return String(a.v + b.v); }
  friend String operator+(const char *a, const String &b) { return String(FromUtf8(a) + b.v); }
  friend String operator+(const String &a, const char *b) { return String(a.v + FromUtf8(b)); }
  friend bool operator==(const String &a, const String &b) { return a.v == b.v; }
  friend bool operator!=(const String &a, const String &b) { return a.v != b.v; }
  friend bool operator<(const String &a, const String &b) { return a.v < b.v; }
  friend bool operator>(const String &a, const String &b) { return a.v > b.v; }
  friend bool operator==(const String &a, const char *b) { return a.v == FromUtf8(b); }
  friend bool operator!=(const String &a, const char *b) { return a.v != FromUtf8(b); }
};

template <typename T>
class Array {
 public:
  std::vector<T> items;
  Array() {}
  Array(std::initializer_list<T> init) : items(init) {}
  T &operator[](long index) {
    if (index < 0 || index >= static_cast<long>(items.size())) CriticalError("array out of range");
    return items[index];
  }
  const T &operator[](long index) const {
    if (index < 0 || index >= static_cast<long>(items.size())) CriticalError("array out of range");
    return items[index];
  }
};

}  // namespace mql

using string = mql::String;
template <typename T>
using MqlArray = mql::Array<T>;

#define WHOLE_ARRAY -1
#define INVALID_HANDLE -1
#define EMPTY_VALUE DBL_MAX
#define CP_ACP 0
#define CP_UTF8 65001

struct MqlDateTime {
  int year, mon, day, hour, min, sec, day_of_week, day_of_year;
};

struct MqlTick {
  datetime time;
  double bid, ask, last;
  ulong volume;
  long time_msc;
  uint flags;
  double volume_real;
};

enum ENUM_TRADE_REQUEST_ACTIONS {
  TRADE_ACTION_DEAL = 1, TRADE_ACTION_PENDING = 5, TRADE_ACTION_SLTP = 6, TRADE_ACTION_MODIFY = 7,
  TRADE_ACTION_REMOVE = 8, TRADE_ACTION_CLOSE_BY = 10
};
enum ENUM_ORDER_TYPE { ORDER_TYPE_BUY = 0, ORDER_TYPE_SELL = 1 };
enum ENUM_ORDER_TYPE_FILLING { ORDER_FILLING_FOK = 0, ORDER_FILLING_IOC = 1, ORDER_FILLING_RETURN = 2 };
enum ENUM_ORDER_TYPE_TIME { ORDER_TIME_GTC = 0, ORDER_TIME_DAY = 1, ORDER_TIME_SPECIFIED = 2 };
enum ENUM_ORDER_STATE {
  ORDER_STATE_STARTED = 0, ORDER_STATE_PLACED, ORDER_STATE_CANCELED, ORDER_STATE_PARTIAL, ORDER_STATE_FILLED,
  ORDER_STATE_REJECTED, ORDER_STATE_EXPIRED
};
enum ENUM_DEAL_ENTRY { DEAL_ENTRY_IN = 0, DEAL_ENTRY_OUT = 1, DEAL_ENTRY_INOUT = 2, DEAL_ENTRY_OUT_BY = 3 };
enum ENUM_DEAL_TYPE { DEAL_TYPE_BUY = 0, DEAL_TYPE_SELL = 1, DEAL_TYPE_BALANCE = 2 };
enum ENUM_DEAL_REASON { DEAL_REASON_CLIENT = 0, DEAL_REASON_EXPERT = 3, DEAL_REASON_SL = 4, DEAL_REASON_TP = 5 };
enum ENUM_POSITION_TYPE { POSITION_TYPE_BUY = 0, POSITION_TYPE_SELL = 1 };
enum ENUM_TRADE_TRANSACTION_TYPE {
  TRADE_TRANSACTION_ORDER_ADD = 0, TRADE_TRANSACTION_ORDER_UPDATE, TRADE_TRANSACTION_ORDER_DELETE,
  TRADE_TRANSACTION_HISTORY_ADD, TRADE_TRANSACTION_HISTORY_UPDATE, TRADE_TRANSACTION_HISTORY_DELETE,
  TRADE_TRANSACTION_DEAL_ADD, TRADE_TRANSACTION_DEAL_UPDATE, TRADE_TRANSACTION_DEAL_DELETE,
  TRADE_TRANSACTION_POSITION, TRADE_TRANSACTION_REQUEST
};

struct MqlTradeRequest {
  ENUM_TRADE_REQUEST_ACTIONS action;
  ulong magic;
  ulong order;
  string symbol;
  double volume, price, stoplimit, sl, tp;
  ulong deviation;
  ENUM_ORDER_TYPE type;
  ENUM_ORDER_TYPE_FILLING type_filling;
  ENUM_ORDER_TYPE_TIME type_time;
  datetime expiration;
  string comment;
  ulong position, position_by;
};

struct MqlTradeResult {
  uint retcode;
  ulong deal, order;
  double volume, price, bid, ask;
  string comment;
  uint request_id;
  int retcode_external;
};

struct MqlTradeCheckResult {
  uint retcode;
  double balance, equity, profit, margin, margin_free, margin_level;
  string comment;
};

struct MqlTradeTransaction {
  ulong deal, order;
  string symbol;
  ENUM_TRADE_TRANSACTION_TYPE type;
  ENUM_ORDER_TYPE order_type;
  ENUM_ORDER_STATE order_state;
  ENUM_DEAL_TYPE deal_type;
  ENUM_ORDER_TYPE_TIME time_type;
  datetime time_expiration;
  double price, price_trigger, price_sl, price_tp, volume;
  ulong position, position_by;
};

// Zeroes a struct as MQL5 does (strings become empty); value-initialisation does that in C++.
template <typename T>
void ZeroMemory(T &value) { value = T(); }
