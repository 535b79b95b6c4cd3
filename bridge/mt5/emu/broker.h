// MQL5 emulation, part 5: a simulated trade server behind the trade functions. It keeps the
// account, positions, orders and deals in DIR/broker/state.txt (written before OrderSend
// returns, as a real server has the deal whatever happens to the terminal), answers with MT5's
// retcodes and runs stop losses and take profits as closing deals. Market knobs and faults come
// from DIR/broker/control.txt (see bridge/mt5/README.md, "The EA as a test program").
#pragma once
#include <signal.h>
#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include "net.h"

enum ENUM_SYMBOL_INFO_INTEGER {
  SYMBOL_SELECT, SYMBOL_VISIBLE, SYMBOL_DIGITS, SYMBOL_SPREAD, SYMBOL_TRADE_STOPS_LEVEL, SYMBOL_TRADE_FREEZE_LEVEL,
  SYMBOL_TRADE_MODE, SYMBOL_TRADE_EXEMODE, SYMBOL_FILLING_MODE, SYMBOL_EXPIRATION_MODE, SYMBOL_ORDER_MODE, SYMBOL_TIME
};
enum ENUM_SYMBOL_INFO_DOUBLE {
  SYMBOL_BID, SYMBOL_ASK, SYMBOL_POINT, SYMBOL_TRADE_TICK_VALUE, SYMBOL_TRADE_TICK_SIZE, SYMBOL_TRADE_CONTRACT_SIZE,
  SYMBOL_VOLUME_MIN, SYMBOL_VOLUME_MAX, SYMBOL_VOLUME_STEP, SYMBOL_VOLUME_LIMIT
};
enum ENUM_SYMBOL_INFO_STRING { SYMBOL_DESCRIPTION, SYMBOL_CURRENCY_BASE, SYMBOL_CURRENCY_PROFIT, SYMBOL_PATH };
enum ENUM_SYMBOL_TRADE_MODE {
  SYMBOL_TRADE_MODE_DISABLED = 0, SYMBOL_TRADE_MODE_LONGONLY, SYMBOL_TRADE_MODE_SHORTONLY, SYMBOL_TRADE_MODE_CLOSEONLY,
  SYMBOL_TRADE_MODE_FULL
};
enum ENUM_SYMBOL_TRADE_EXECUTION {
  SYMBOL_TRADE_EXECUTION_REQUEST = 0, SYMBOL_TRADE_EXECUTION_INSTANT, SYMBOL_TRADE_EXECUTION_MARKET,
  SYMBOL_TRADE_EXECUTION_EXCHANGE
};
#define SYMBOL_FILLING_FOK 1
#define SYMBOL_FILLING_IOC 2
enum ENUM_ACCOUNT_INFO_INTEGER { ACCOUNT_LOGIN, ACCOUNT_TRADE_ALLOWED, ACCOUNT_TRADE_EXPERT, ACCOUNT_MARGIN_MODE, ACCOUNT_LEVERAGE };
enum ENUM_ACCOUNT_INFO_DOUBLE { ACCOUNT_BALANCE, ACCOUNT_EQUITY, ACCOUNT_PROFIT, ACCOUNT_MARGIN, ACCOUNT_MARGIN_FREE };
enum ENUM_ACCOUNT_INFO_STRING { ACCOUNT_NAME, ACCOUNT_SERVER, ACCOUNT_CURRENCY, ACCOUNT_COMPANY };
enum ENUM_ACCOUNT_MARGIN_MODE { ACCOUNT_MARGIN_MODE_RETAIL_NETTING = 0, ACCOUNT_MARGIN_MODE_EXCHANGE, ACCOUNT_MARGIN_MODE_RETAIL_HEDGING };
enum ENUM_POSITION_PROPERTY_INTEGER { POSITION_TICKET, POSITION_IDENTIFIER, POSITION_TYPE, POSITION_MAGIC, POSITION_TIME, POSITION_TIME_MSC };
enum ENUM_POSITION_PROPERTY_DOUBLE { POSITION_VOLUME, POSITION_PRICE_OPEN, POSITION_SL, POSITION_TP, POSITION_PRICE_CURRENT, POSITION_PROFIT, POSITION_SWAP };
enum ENUM_POSITION_PROPERTY_STRING { POSITION_SYMBOL, POSITION_COMMENT };
enum ENUM_DEAL_PROPERTY_INTEGER { DEAL_TICKET, DEAL_ORDER, DEAL_POSITION_ID, DEAL_TYPE, DEAL_ENTRY, DEAL_REASON, DEAL_MAGIC, DEAL_TIME, DEAL_TIME_MSC };
enum ENUM_DEAL_PROPERTY_DOUBLE { DEAL_VOLUME, DEAL_PRICE, DEAL_PROFIT, DEAL_SWAP, DEAL_COMMISSION, DEAL_FEE };
enum ENUM_DEAL_PROPERTY_STRING { DEAL_SYMBOL, DEAL_COMMENT };
enum ENUM_ORDER_PROPERTY_INTEGER { ORDER_TICKET, ORDER_STATE, ORDER_TYPE, ORDER_POSITION_ID, ORDER_MAGIC, ORDER_TIME_SETUP, ORDER_TIME_DONE };
enum ENUM_ORDER_PROPERTY_DOUBLE { ORDER_VOLUME_INITIAL, ORDER_VOLUME_CURRENT, ORDER_PRICE_OPEN, ORDER_SL, ORDER_TP };
enum ENUM_ORDER_PROPERTY_STRING { ORDER_SYMBOL, ORDER_COMMENT };
enum ENUM_TERMINAL_INFO_INTEGER { TERMINAL_CONNECTED, TERMINAL_TRADE_ALLOWED, TERMINAL_BUILD };
enum ENUM_TERMINAL_INFO_STRING { TERMINAL_DATA_PATH, TERMINAL_COMMONDATA_PATH, TERMINAL_NAME };
enum ENUM_MQL_INFO_INTEGER { MQL_TESTER, MQL_TRADE_ALLOWED, MQL_OPTIMIZATION, MQL_DEBUG };

inline string EnumToString(ENUM_ORDER_TYPE_FILLING filling) {
  return filling == ORDER_FILLING_FOK ? "ORDER_FILLING_FOK" : filling == ORDER_FILLING_IOC ? "ORDER_FILLING_IOC" : "ORDER_FILLING_RETURN";
}

namespace mql {
struct Symbol {
  std::string name;
  int digits = 5;
  double point = 0.00001, tickValue = 1, contract = 100000, volumeMin = 0.01, volumeStep = 0.01, volumeMax = 100;
  double bid = 1, ask = 1.0001;
  long priceTimeMsc = 0;
  long fillingFlags = SYMBOL_FILLING_FOK;
  long execution = SYMBOL_TRADE_EXECUTION_MARKET;
  long stopsLevel = 0, freezeLevel = 0;
  bool marketClosed = false;
  int requotes = 0;
};
struct Position { ulong ticket; std::string symbol; int type; double volume, price, sl, tp; ulong magic; long timeMsc; std::string comment; };
struct Deal { ulong ticket, order, position; std::string symbol; int type, entry, reason; double volume, price, profit; ulong magic; long timeMsc; std::string comment; };
struct Order { ulong ticket, position; std::string symbol; int type, state; double volumeInitial, volumeCurrent, price; ulong magic; long timeMsc; std::string comment; };
struct Transaction { MqlTradeTransaction trans; MqlTradeRequest request; MqlTradeResult result; };

struct Broker {
  std::vector<Symbol> symbols;
  std::vector<Position> positions;
  std::vector<Deal> deals;
  std::vector<Order> orders;
  std::vector<Transaction> pending;
  double balance = 10000;
  std::string currency = "USD";
  bool hedging = false;
  ulong nextTicket = 1000;
  int slippagePoints = 0;
  int orderDelayMs = 0;
  bool dropComments = false;  // some brokers replace order comments with their own
  bool killAfterOrderSend = false;
  std::string controlStamp;
  // Selections made by PositionGetTicket/PositionSelect* and HistorySelect*/History*Select.
  long selectedPosition = -1;
  std::vector<ulong> selectedDeals, selectedOrders;
};
inline Broker g_broker;

inline std::string StatePath() { return g_dataDir + "/broker/state.txt"; }
inline std::string ControlPath() { return g_dataDir + "/broker/control.txt"; }

inline Symbol *FindSymbol(const std::string &name) {
  for (auto &s : g_broker.symbols) if (s.name == name) return &s;
  return nullptr;
}

// A symbol's specification and first price from its name without the broker's suffix.
inline Symbol MakeSymbol(const std::string &name, const std::string &defaultFilling) {
  Symbol s;
  s.name = name;
  std::string base;
  for (char c : name) { if (!std::isalpha(static_cast<unsigned char>(c))) break; base.push_back(std::toupper(c)); }
  if (base.size() > 6) base = base.substr(0, 6);
  if (base == "XAUUSD" || base == "GOLD") { s.digits = 2; s.contract = 100; s.bid = 2350.00; s.ask = 2350.30; }
  else if (base.size() == 6 && base.substr(3) == "JPY") { s.digits = 3; s.bid = 150.000; s.ask = 150.010; }
  else if (base == "GBPUSD") { s.bid = 1.26500; s.ask = 1.26515; }
  else if (base == "EURUSD") { s.bid = 1.08490; s.ask = 1.08500; }
  s.point = std::pow(10.0, -s.digits);
  double tickMoney = s.point * s.contract;
  s.tickValue = base.size() == 6 && base.substr(3) == g_broker.currency ? tickMoney
              : base.substr(0, 3) == g_broker.currency ? tickMoney / s.bid : tickMoney;
  s.tickValue = NormalizeDouble(s.tickValue, 8);
  s.priceTimeMsc = NowMilliseconds();
  if (defaultFilling == "ioc") s.fillingFlags = SYMBOL_FILLING_IOC;
  if (defaultFilling == "return") { s.fillingFlags = 0; s.execution = SYMBOL_TRADE_EXECUTION_INSTANT; }
  return s;
}

inline void SaveState() {
  std::string tmp = StatePath() + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  char line[1024];
  std::snprintf(line, sizeof line, "account\t%.2f\t%lu\n", g_broker.balance, g_broker.nextTicket);
  out << line;
  for (auto &p : g_broker.positions) {
    std::snprintf(line, sizeof line, "pos\t%lu\t%s\t%d\t%.8f\t%.10f\t%.10f\t%.10f\t%lu\t%ld\t%s\n", p.ticket, p.symbol.c_str(), p.type, p.volume,
                  p.price, p.sl, p.tp, p.magic, p.timeMsc, p.comment.c_str());
    out << line;
  }
  for (auto &d : g_broker.deals) {
    std::snprintf(line, sizeof line, "deal\t%lu\t%lu\t%lu\t%s\t%d\t%d\t%d\t%.8f\t%.10f\t%.2f\t%lu\t%ld\t%s\n", d.ticket, d.order, d.position,
                  d.symbol.c_str(), d.type, d.entry, d.reason, d.volume, d.price, d.profit, d.magic, d.timeMsc, d.comment.c_str());
    out << line;
  }
  for (auto &o : g_broker.orders) {
    std::snprintf(line, sizeof line, "order\t%lu\t%lu\t%s\t%d\t%d\t%.8f\t%.8f\t%.10f\t%lu\t%ld\t%s\n", o.ticket, o.position, o.symbol.c_str(),
                  o.type, o.state, o.volumeInitial, o.volumeCurrent, o.price, o.magic, o.timeMsc, o.comment.c_str());
    out << line;
  }
  out.close();
  rename(tmp.c_str(), StatePath().c_str());
}

inline std::vector<std::string> SplitTabs(const std::string &line) {
  std::vector<std::string> parts;
  std::stringstream stream(line);
  std::string part;
  while (std::getline(stream, part, '\t')) parts.push_back(part);
  if (!line.empty() && line.back() == '\t') parts.push_back("");
  return parts;
}

inline void LoadState() {
  std::ifstream in(StatePath());
  std::string line;
  while (std::getline(in, line)) {
    auto f = SplitTabs(line);
    auto u = [&](size_t i) { return std::stoul(f.at(i)); };
    auto d = [&](size_t i) { return std::stod(f.at(i)); };
    if (f[0] == "account" && f.size() >= 3) { g_broker.balance = d(1); g_broker.nextTicket = u(2); }
    else if (f[0] == "pos" && f.size() >= 11)
      g_broker.positions.push_back({u(1), f[2], std::stoi(f[3]), d(4), d(5), d(6), d(7), u(8), std::stol(f[9]), f[10]});
    else if (f[0] == "deal" && f.size() >= 14)
      g_broker.deals.push_back({u(1), u(2), u(3), f[4], std::stoi(f[5]), std::stoi(f[6]), std::stoi(f[7]), d(8), d(9), d(10), u(11), std::stol(f[12]), f[13]});
    else if (f[0] == "order" && f.size() >= 12)
      g_broker.orders.push_back({u(1), u(2), f[3], std::stoi(f[4]), std::stoi(f[5]), d(6), d(7), d(8), u(9), std::stol(f[10]), f[11]});
  }
}

// Reads the control file again when it changed. Lines: `price SYM BID ASK`, `requote SYM N`,
// `market_closed SYM 0|1`, `filling SYM fok|ioc|fok,ioc|return`, `stops_level SYM POINTS`,
// `freeze_level SYM POINTS`, `slippage_points N`, `order_delay_ms N` (the server's answer time),
// `drop_comments 0|1`, `kill_after_order_send 0|1`.
inline bool ReadControl() {
  struct stat st;
  if (stat(ControlPath().c_str(), &st) != 0) return false;
  std::string stamp = std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size);
  if (stamp == g_broker.controlStamp) return false;
  g_broker.controlStamp = stamp;
  std::ifstream in(ControlPath());
  std::string key;
  bool pricesChanged = false;
  while (in >> key) {
    if (key == "slippage_points") { in >> g_broker.slippagePoints; continue; }
    if (key == "order_delay_ms") { in >> g_broker.orderDelayMs; continue; }
    if (key == "drop_comments") { int on; in >> on; g_broker.dropComments = on != 0; continue; }
    if (key == "kill_after_order_send") { int on; in >> on; g_broker.killAfterOrderSend = on != 0; continue; }
    std::string name, value;
    in >> name;
    Symbol *s = FindSymbol(name);
    if (key == "price") {
      double bid, ask;
      in >> bid >> ask;
      if (s) { s->bid = bid; s->ask = ask; s->priceTimeMsc = NowMilliseconds(); pricesChanged = true; }
      continue;
    }
    in >> value;
    if (!s) { Journal("emulator: control file names unknown symbol " + name); continue; }
    if (key == "requote") s->requotes = std::stoi(value);
    else if (key == "market_closed") s->marketClosed = value != "0";
    else if (key == "stops_level") s->stopsLevel = std::stol(value);
    else if (key == "freeze_level") s->freezeLevel = std::stol(value);
    else if (key == "filling") {
      s->fillingFlags = (value.find("fok") != std::string::npos ? SYMBOL_FILLING_FOK : 0) |
                        (value.find("ioc") != std::string::npos ? SYMBOL_FILLING_IOC : 0);
      s->execution = value == "return" ? SYMBOL_TRADE_EXECUTION_INSTANT : SYMBOL_TRADE_EXECUTION_MARKET;
    } else Journal("emulator: unknown control line " + key);
  }
  return pricesChanged;
}

inline double ClosePrice(const Symbol &s, int positionType) { return positionType == POSITION_TYPE_BUY ? s.bid : s.ask; }
inline double ProfitOf(const Symbol &s, int positionType, double volume, double open, double close) {
  double move = positionType == POSITION_TYPE_BUY ? close - open : open - close;
  return NormalizeDouble(move / s.point * s.tickValue * volume, 2);
}
inline double FloatingProfit() {
  double sum = 0;
  for (auto &p : g_broker.positions) if (Symbol *s = FindSymbol(p.symbol)) sum += ProfitOf(*s, p.type, p.volume, p.price, ClosePrice(*s, p.type));
  return sum;
}
inline Position *FindPosition(ulong ticket) {
  for (auto &p : g_broker.positions) if (p.ticket == ticket) return &p;
  return nullptr;
}

inline void QueueDealTransaction(const Deal &deal) {
  Transaction t = {};
  t.trans.type = TRADE_TRANSACTION_DEAL_ADD;
  t.trans.deal = deal.ticket;
  t.trans.order = deal.order;
  t.trans.symbol = string(deal.symbol.c_str());
  t.trans.deal_type = static_cast<ENUM_DEAL_TYPE>(deal.type);
  t.trans.price = deal.price;
  t.trans.volume = deal.volume;
  t.trans.position = deal.position;
  g_broker.pending.push_back(t);
}

// One deal on the account: opens, adds to, reduces or closes a position (netting folds every
// deal of a symbol into one position; hedging opens a new one unless `closing` names it).
inline Deal MakeDeal(ulong order, const std::string &symbol, int dealType, double volume, double price, ulong magic,
                     const std::string &comment, ulong closing, int reason) {
  Symbol &s = *FindSymbol(symbol);
  Deal deal = {g_broker.nextTicket++, order, order, symbol, dealType, DEAL_ENTRY_IN, reason, volume, price, 0, magic, NowMilliseconds() + g_serverOffsetSeconds * 1000, comment};
  Position *target = closing ? FindPosition(closing) : nullptr;
  if (!g_broker.hedging && !target)
    for (auto &p : g_broker.positions) if (p.symbol == symbol) target = &p;
  if (target && target->type == dealType) {
    deal.position = target->ticket;
    target->price = NormalizeDouble((target->price * target->volume + price * volume) / (target->volume + volume), s.digits + 3);
    target->volume = NormalizeDouble(target->volume + volume, 8);
  } else if (target) {
    deal.position = target->ticket;
    double closed = std::min(volume, target->volume);
    deal.profit = ProfitOf(s, target->type, closed, target->price, price);
    g_broker.balance = NormalizeDouble(g_broker.balance + deal.profit, 2);
    target->volume = NormalizeDouble(target->volume - closed, 8);
    deal.entry = volume > closed + 1e-9 ? DEAL_ENTRY_INOUT : DEAL_ENTRY_OUT;
    if (target->volume <= 1e-9) {
      ulong gone = target->ticket;
      g_broker.positions.erase(std::remove_if(g_broker.positions.begin(), g_broker.positions.end(), [&](const Position &p) { return p.ticket == gone; }),
                               g_broker.positions.end());
      if (deal.entry == DEAL_ENTRY_INOUT)
        g_broker.positions.push_back({order, symbol, dealType, NormalizeDouble(volume - closed, 8), price, 0, 0, magic, deal.timeMsc, comment});
    }
  } else {
    g_broker.positions.push_back({order, symbol, dealType, volume, price, 0, 0, magic, deal.timeMsc, comment});
  }
  g_broker.deals.push_back(deal);
  QueueDealTransaction(deal);
  return deal;
}

// Stop loss and take profit run on the server: a touched level closes the position at it.
inline bool TriggerStops() {
  bool any = false;
  for (size_t i = 0; i < g_broker.positions.size(); i++) {
    Position p = g_broker.positions[i];
    Symbol *s = FindSymbol(p.symbol);
    if (!s) continue;
    double price = ClosePrice(*s, p.type);
    bool buy = p.type == POSITION_TYPE_BUY;
    bool slHit = p.sl > 0 && (buy ? price <= p.sl : price >= p.sl);
    bool tpHit = p.tp > 0 && (buy ? price >= p.tp : price <= p.tp);
    if (!slHit && !tpHit) continue;
    double level = slHit ? p.sl : p.tp;
    char comment[64];
    std::snprintf(comment, sizeof comment, "[%s %.*f]", slHit ? "sl" : "tp", s->digits, level);
    ulong order = g_broker.nextTicket++;
    g_broker.orders.push_back({order, p.ticket, p.symbol, buy ? ORDER_TYPE_SELL : ORDER_TYPE_BUY, ORDER_STATE_FILLED, p.volume, 0, level, p.magic,
                               NowMilliseconds() + g_serverOffsetSeconds * 1000, comment});
    MakeDeal(order, p.symbol, buy ? DEAL_TYPE_SELL : DEAL_TYPE_BUY, p.volume, level, p.magic, comment, p.ticket, slHit ? DEAL_REASON_SL : DEAL_REASON_TP);
    any = true;
    i--;
  }
  if (any) SaveState();
  return any;
}
}  // namespace mql
