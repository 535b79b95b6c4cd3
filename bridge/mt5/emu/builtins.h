// MQL5 emulation, part 2: builtins of the language itself (errors, arrays, strings, conversions,
// math, time, Print/StringFormat). Only what an MQL5 program can call; anything missing is a
// compile error in the EA, never a silent stub.
#pragma once
#include <cfloat>
#include <chrono>
#include <ctime>
#include <thread>
#include <type_traits>
#include "types.h"

namespace mql {
inline int g_lastError = 0;
inline volatile bool g_stopped = false;
// Broker server time minus UTC (seconds): the simulated broker runs on EET-like time, as many do.
inline long g_serverOffsetSeconds = 2 * 3600;
}  // namespace mql

#define _LastError (mql::g_lastError)
#define _StopFlag (mql::g_stopped)
inline int GetLastError() { return mql::g_lastError; }
inline void ResetLastError() { mql::g_lastError = 0; }
inline void SetUserError(ushort code) { mql::g_lastError = 65536 + code; }
inline bool IsStopped() { return mql::g_stopped; }

// ---- dynamic arrays
template <typename T>
int ArraySize(const MqlArray<T> &a) { return static_cast<int>(a.items.size()); }
template <typename T>
int ArrayResize(MqlArray<T> &a, int size, int reserve = 0) {
  if (size < 0) { mql::g_lastError = 4007; return -1; }
  if (reserve > 0) a.items.reserve(size + reserve);
  a.items.resize(size);
  return size;
}
template <typename T>
void ArrayFree(MqlArray<T> &a) { a.items.clear(); a.items.shrink_to_fit(); }

// ---- strings
inline int StringLen(const string &s) { return static_cast<int>(s.v.size()); }
inline string StringSubstr(const string &s, int start, int length = -1) {
  if (start < 0 || start >= StringLen(s)) return string();
  return string(s.v.substr(start, length < 0 ? std::u16string::npos : static_cast<size_t>(length)));
}
inline int StringFind(const string &s, const string &match, int start = 0) {
  if (start < 0 || start > StringLen(s)) return -1;
  size_t at = s.v.find(match.v, start);
  return at == std::u16string::npos ? -1 : static_cast<int>(at);
}
inline ushort StringGetCharacter(const string &s, int pos) {
  if (pos < 0 || pos >= StringLen(s)) { mql::g_lastError = 5041; return 0; }
  return s.v[pos];
}
inline bool StringSetCharacter(string &s, int pos, ushort c) {
  if (pos < 0 || pos > StringLen(s)) return false;
  if (pos == StringLen(s)) s.v.push_back(c); else s.v[pos] = c;
  return true;
}
inline string ShortToString(ushort c) { return string(std::u16string(1, static_cast<char16_t>(c))); }
inline int StringReplace(string &s, const string &find, const string &replacement) {
  if (find.v.empty()) return -1;
  int count = 0;
  size_t at = 0;
  while ((at = s.v.find(find.v, at)) != std::u16string::npos) {
    s.v.replace(at, find.v.size(), replacement.v);
    at += replacement.v.size();
    count++;
  }
  return count;
}
inline bool IsMqlSpace(char16_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline int StringTrimLeft(string &s) {
  size_t n = 0;
  while (n < s.v.size() && IsMqlSpace(s.v[n])) n++;
  s.v.erase(0, n);
  return static_cast<int>(n);
}
inline int StringTrimRight(string &s) {
  size_t n = 0;
  while (n < s.v.size() && IsMqlSpace(s.v[s.v.size() - 1 - n])) n++;
  s.v.erase(s.v.size() - n);
  return static_cast<int>(n);
}
inline bool StringToLower(string &s) {
  for (auto &c : s.v) if (c >= 'A' && c <= 'Z') c = static_cast<char16_t>(c + 32);
  return true;
}
inline bool StringToUpper(string &s) {
  for (auto &c : s.v) if (c >= 'a' && c <= 'z') c = static_cast<char16_t>(c - 32);
  return true;
}
inline int StringCompare(const string &a, const string &b, bool caseSensitive = true) {
  string x = a, y = b;
  if (!caseSensitive) { StringToLower(x); StringToLower(y); }
  return x.v < y.v ? -1 : (x.v > y.v ? 1 : 0);
}
inline int StringSplit(const string &s, ushort separator, MqlArray<string> &result) {
  result.items.clear();
  if (s.v.empty()) return 0;
  size_t start = 0;
  for (;;) {
    size_t at = s.v.find(static_cast<char16_t>(separator), start);
    if (at == std::u16string::npos) { result.items.push_back(string(s.v.substr(start))); break; }
    result.items.push_back(string(s.v.substr(start, at - start)));
    start = at + 1;
  }
  return ArraySize(result);
}
// Byte arrays: MQL5 accepts both char[] and uchar[] here.
template <typename B>
int StringToCharArray(const string &s, MqlArray<B> &out, int start = 0, int count = -1, uint codepage = CP_ACP) {
  static_assert(sizeof(B) == 1, "StringToCharArray needs a char or uchar array");
  std::string bytes;
  if (codepage == CP_UTF8) bytes = s.utf8();
  else for (char16_t c : s.v) bytes.push_back(c < 256 ? static_cast<char>(c) : '?');
  bytes.push_back('\0');
  size_t n = count < 0 ? bytes.size() : std::min(bytes.size(), static_cast<size_t>(count));
  if (static_cast<int>(out.items.size()) < start + static_cast<int>(n)) out.items.resize(start + n);
  for (size_t i = 0; i < n; i++) out.items[start + i] = static_cast<B>(bytes[i]);
  return static_cast<int>(n);
}
template <typename B>
string CharArrayToString(const MqlArray<B> &in, int start = 0, int count = -1, uint codepage = CP_ACP) {
  static_assert(sizeof(B) == 1, "CharArrayToString needs a char or uchar array");
  std::string bytes;
  int end = count < 0 ? ArraySize(in) : std::min(ArraySize(in), start + count);
  for (int i = start; i < end; i++) {
    if (in.items[i] == 0) break;
    bytes.push_back(static_cast<char>(in.items[i]));
  }
  if (codepage == CP_UTF8) return string(mql::FromUtf8(bytes));
  std::u16string wide;
  for (unsigned char b : bytes) wide.push_back(b);
  return string(wide);
}

// ---- conversions
inline string IntegerToString(long number, int length = 0, ushort fill = ' ') {
  std::string text = std::to_string(number);
  while (static_cast<int>(text.size()) < length) text.insert(text.begin(), static_cast<char>(fill));
  return string(text.c_str());
}
inline string DoubleToString(double value, int digits = 8) {
  if (std::isnan(value)) return string("nan");
  if (std::isinf(value)) return string(value > 0 ? "inf" : "-inf");
  char buffer[400];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::max(0, std::min(16, digits)), value);
  return string(buffer);
}
inline double StringToDouble(const string &s) { return std::atof(s.utf8().c_str()); }
inline long StringToInteger(const string &s) { return std::atol(s.utf8().c_str()); }
inline double NormalizeDouble(double value, int digits) {
  double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

// ---- math
inline bool MathIsValidNumber(double v) { return std::isfinite(v); }
template <typename T>
T MathAbs(T v) { return v < 0 ? -v : v; }
inline double MathRound(double v) { return std::round(v); }
inline double MathFloor(double v) { return std::floor(v); }
inline double MathCeil(double v) { return std::ceil(v); }
inline double MathPow(double b, double e) { return std::pow(b, e); }
inline double MathSqrt(double v) { return std::sqrt(v); }
inline double MathLog10(double v) { return std::log10(v); }
template <typename A, typename B>
typename std::common_type<A, B>::type MathMax(A a, B b) { return a > b ? a : b; }
template <typename A, typename B>
typename std::common_type<A, B>::type MathMin(A a, B b) { return a < b ? a : b; }

// ---- time
inline long NowMilliseconds() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
inline datetime TimeGMT() { return static_cast<datetime>(NowMilliseconds() / 1000); }
inline datetime TimeCurrent() { return TimeGMT() + mql::g_serverOffsetSeconds; }
inline datetime TimeTradeServer() { return TimeCurrent(); }
inline datetime TimeLocal() {
  time_t now = std::time(nullptr);
  struct tm local;
  localtime_r(&now, &local);
  return static_cast<datetime>(now + local.tm_gmtoff);
}
inline bool TimeToStruct(datetime t, MqlDateTime &d) {
  time_t raw = static_cast<time_t>(t);
  struct tm parts;
  gmtime_r(&raw, &parts);
  d.year = parts.tm_year + 1900; d.mon = parts.tm_mon + 1; d.day = parts.tm_mday;
  d.hour = parts.tm_hour; d.min = parts.tm_min; d.sec = parts.tm_sec;
  d.day_of_week = parts.tm_wday; d.day_of_year = parts.tm_yday;
  return true;
}
inline datetime StructToTime(MqlDateTime &d) {
  struct tm parts = {};
  parts.tm_year = d.year - 1900; parts.tm_mon = d.mon - 1; parts.tm_mday = d.day;
  parts.tm_hour = d.hour; parts.tm_min = d.min; parts.tm_sec = d.sec;
  return static_cast<datetime>(timegm(&parts));
}
#define TIME_DATE 1
#define TIME_MINUTES 2
#define TIME_SECONDS 4
inline string TimeToString(datetime t, int flags = TIME_DATE | TIME_MINUTES) {
  MqlDateTime d;
  TimeToStruct(t, d);
  char buffer[64] = "";
  if (flags & TIME_DATE) std::snprintf(buffer, sizeof buffer, "%04d.%02d.%02d", d.year, d.mon, d.day);
  char clock[32] = "";
  if (flags & TIME_SECONDS) std::snprintf(clock, sizeof clock, "%02d:%02d:%02d", d.hour, d.min, d.sec);
  else if (flags & TIME_MINUTES) std::snprintf(clock, sizeof clock, "%02d:%02d", d.hour, d.min);
  std::string text = buffer;
  if (clock[0]) text += (text.empty() ? "" : " ") + std::string(clock);
  return string(text.c_str());
}
inline uint GetTickCount() { return static_cast<uint>(NowMilliseconds()); }
inline ulong GetMicrosecondCount() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
inline void Sleep(int milliseconds) {
  if (milliseconds > 0) std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
}

// ---- Print / StringFormat
namespace mql {
struct FormatArg {
  enum Kind { Int, Unsigned, Real, Text } kind;
  long long i = 0;
  unsigned long long u = 0;
  double d = 0;
  std::string s;
};
template <typename T>
FormatArg ToArg(const T &value) {
  FormatArg a;
  if constexpr (std::is_same<T, String>::value) { a.kind = FormatArg::Text; a.s = value.utf8(); }
  else if constexpr (std::is_convertible<T, const char *>::value) { a.kind = FormatArg::Text; a.s = value; }
  else if constexpr (std::is_floating_point<T>::value) { a.kind = FormatArg::Real; a.d = value; }
  else if constexpr (std::is_enum<T>::value) { a.kind = FormatArg::Int; a.i = static_cast<long long>(value); }
  else if constexpr (std::is_unsigned<T>::value) { a.kind = FormatArg::Unsigned; a.u = value; }
  else { a.kind = FormatArg::Int; a.i = static_cast<long long>(value); }
  return a;
}
// printf-style formatting with MQL5's extras (%I64d, %I32d; `%s` takes a string).
inline std::string Format(const std::string &format, const std::vector<FormatArg> &args) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); i++) {
    if (format[i] != '%') { out.push_back(format[i]); continue; }
    if (i + 1 < format.size() && format[i + 1] == '%') { out.push_back('%'); i++; continue; }
    std::string spec = "%";
    size_t j = i + 1;
    while (j < format.size() && std::strchr("-+ #0123456789.*", format[j])) spec.push_back(format[j++]);
    while (j < format.size() && std::strchr("hlLIq3264", format[j]) && !std::strchr("diouxXeEfgGcsaA", format[j])) j++;
    if (j >= format.size()) break;
    char conversion = format[j];
    i = j;
    FormatArg arg = next < args.size() ? args[next++] : FormatArg{FormatArg::Text};
    char buffer[512];
    if (conversion == 's') {
      std::snprintf(buffer, sizeof buffer, (spec + "s").c_str(), arg.kind == FormatArg::Text ? arg.s.c_str() : "");
    } else if (std::strchr("eEfgGaA", conversion)) {
      double v = arg.kind == FormatArg::Real ? arg.d : arg.kind == FormatArg::Int ? static_cast<double>(arg.i) : static_cast<double>(arg.u);
      std::snprintf(buffer, sizeof buffer, (spec + conversion).c_str(), v);
    } else if (conversion == 'c') {
      std::snprintf(buffer, sizeof buffer, (spec + "c").c_str(), static_cast<int>(arg.i));
    } else {
      long long v = arg.kind == FormatArg::Int ? arg.i : arg.kind == FormatArg::Unsigned ? static_cast<long long>(arg.u) : static_cast<long long>(arg.d);
      std::snprintf(buffer, sizeof buffer, (spec + "ll" + conversion).c_str(), v);
    }
    out += buffer;
  }
  return out;
}
template <typename T>
std::string PrintPiece(const T &value) {
  if constexpr (std::is_same<T, String>::value) return value.utf8();
  else if constexpr (std::is_convertible<T, const char *>::value) return value;
  else if constexpr (std::is_same<T, bool>::value) return value ? "true" : "false";
  else if constexpr (std::is_floating_point<T>::value) { char b[64]; std::snprintf(b, sizeof b, "%.16g", value); return b; }
  else return std::to_string(static_cast<long long>(value));
}
inline void Journal(const std::string &line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}
}  // namespace mql

template <typename... A>
string StringFormat(const string &format, const A &...args) {
  return string(mql::Format(format.utf8(), {mql::ToArg(args)...}).c_str());
}
template <typename... A>
void Print(const A &...args) {
  std::string line;
  ((line += mql::PrintPiece(args)), ...);
  mql::Journal(line);
}
template <typename... A>
void PrintFormat(const string &format, const A &...args) {
  mql::Journal(mql::Format(format.utf8(), {mql::ToArg(args)...}));
}
