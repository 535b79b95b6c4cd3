// MQL5 emulation, part 6: the trade and information functions over the simulated broker.
#pragma once
#include "broker.h"

namespace mql {
inline long g_login = 5001234;

inline const char *SideName(int type) { return type == ORDER_TYPE_BUY ? "BUY" : "SELL"; }
inline const char *ActionName(int action) {
  return action == TRADE_ACTION_DEAL ? "deal" : action == TRADE_ACTION_SLTP ? "sltp" : action == TRADE_ACTION_PENDING ? "pending"
       : action == TRADE_ACTION_MODIFY ? "modify" : action == TRADE_ACTION_REMOVE ? "remove" : "close_by";
}
inline std::string JsonText(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') { out.push_back('\\'); out.push_back(c); }
    else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); out += b; }
    else out.push_back(c);
  }
  return out + "\"";
}

// The contract's stdout line: one per request that reaches the trade server.
inline void ReportOrderSend(const MqlTradeRequest &rq, const MqlTradeResult &rs) {
  bool done = rs.retcode == 10008 || rs.retcode == 10009 || rs.retcode == 10010;
  const char *filling = rq.type_filling == ORDER_FILLING_FOK ? "FOK" : rq.type_filling == ORDER_FILLING_IOC ? "IOC" : "RETURN";
  std::printf("{\"event\":\"order_send\",\"action\":\"%s\",\"symbol\":%s,\"side\":%s,\"volume\":%.8g,\"price\":%.10g,\"sl\":%.10g,\"tp\":%.10g,"
              "\"comment\":%s,\"position\":%lu,\"retcode\":%u,\"filling\":\"%s\",\"deal\":%lu}\n",
              ActionName(rq.action), JsonText(rq.symbol.utf8()).c_str(), rq.action == TRADE_ACTION_DEAL ? (std::string("\"") + SideName(rq.type) + "\"").c_str() : "null",
              done && rs.volume > 0 ? rs.volume : rq.volume, done && rs.price > 0 ? rs.price : rq.price, rq.sl, rq.tp, JsonText(rq.comment.utf8()).c_str(),
              rq.position, rs.retcode, filling, rs.deal);
  std::fflush(stdout);
}

inline bool StopsOk(const Symbol &s, int positionType, double sl, double tp) {
  double price = ClosePrice(s, positionType);
  double distance = s.stopsLevel * s.point - s.point / 2;
  bool buy = positionType == POSITION_TYPE_BUY;
  if (sl > 0 && (buy ? sl >= price || price - sl < distance : sl <= price || sl - price < distance)) return false;
  if (tp > 0 && (buy ? tp <= price || tp - price < distance : tp >= price || price - tp < distance)) return false;
  return true;
}

inline bool FillingAllowed(const Symbol &s, ENUM_ORDER_TYPE_FILLING filling) {
  if (filling == ORDER_FILLING_FOK) return s.fillingFlags & SYMBOL_FILLING_FOK;
  if (filling == ORDER_FILLING_IOC) return s.fillingFlags & SYMBOL_FILLING_IOC;
  return s.execution != SYMBOL_TRADE_EXECUTION_MARKET;
}

// The checks a trade server makes before it executes a request; 0 = acceptable.
inline uint CheckRequest(const MqlTradeRequest &rq) {
  Symbol *s = FindSymbol(rq.symbol.utf8());
  if (!s) return 10013;
  if (s->marketClosed) return 10018;
  if (rq.action == TRADE_ACTION_SLTP) {
    Position *p = FindPosition(rq.position);
    if (!p) return 10036;
    double price = ClosePrice(*s, p->type);
    double freeze = s->freezeLevel * s->point;
    if (freeze > 0 && ((p->sl > 0 && std::fabs(price - p->sl) < freeze) || (p->tp > 0 && std::fabs(price - p->tp) < freeze))) return 10029;
    if (!StopsOk(*s, p->type, rq.sl, rq.tp)) return 10016;
    if (std::fabs(p->sl - rq.sl) < s->point / 2 && std::fabs(p->tp - rq.tp) < s->point / 2) return 10025;
    return 0;
  }
  if (rq.action != TRADE_ACTION_DEAL) return 10013;
  double steps = rq.volume / s->volumeStep;
  if (rq.volume < s->volumeMin - 1e-9 || rq.volume > s->volumeMax + 1e-9 || std::fabs(steps - std::round(steps)) > 1e-6) return 10014;
  if (!FillingAllowed(*s, rq.type_filling)) return 10030;
  if (rq.position) {
    Position *p = FindPosition(rq.position);
    if (!p) return 10036;
    if (p->type == rq.type) return 10013;
    if (rq.volume > p->volume + 1e-9) return 10038;
    return 0;
  }
  if (!StopsOk(*s, rq.type, rq.sl, rq.tp)) return 10016;
  return 0;
}

inline uint Execute(const MqlTradeRequest &rq, MqlTradeResult &rs) {
  uint rc = CheckRequest(rq);
  Symbol *s = FindSymbol(rq.symbol.utf8());
  if (s) { rs.bid = s->bid; rs.ask = s->ask; }
  if (rc == 10025 && rq.action == TRADE_ACTION_SLTP) return rc;
  if (rc != 0) return rc;
  if (rq.action == TRADE_ACTION_SLTP) {
    Position *p = FindPosition(rq.position);
    p->sl = rq.sl;
    p->tp = rq.tp;
    return 10009;
  }
  if (s->requotes > 0) {
    s->requotes--;
    return 10004;
  }
  bool buy = rq.type == ORDER_TYPE_BUY;
  double price = NormalizeDouble((buy ? s->ask : s->bid) + (buy ? 1 : -1) * g_broker.slippagePoints * s->point, s->digits);
  std::string comment = g_broker.dropComments ? "" : rq.comment.utf8();
  ulong order = g_broker.nextTicket++;
  long now = NowMilliseconds() + g_serverOffsetSeconds * 1000;
  g_broker.orders.push_back({order, rq.position ? rq.position : order, s->name, rq.type, ORDER_STATE_FILLED, rq.volume, 0, price,
                             rq.magic, now, comment});
  Deal deal = MakeDeal(order, s->name, buy ? DEAL_TYPE_BUY : DEAL_TYPE_SELL, rq.volume, price, rq.magic, comment, rq.position,
                       DEAL_REASON_EXPERT);
  g_broker.orders.back().position = deal.position;
  if (!rq.position && deal.entry == DEAL_ENTRY_IN)
    if (Position *p = FindPosition(deal.position)) {
      if (p->volume == rq.volume) { p->sl = rq.sl; p->tp = rq.tp; }
    }
  rs.order = order;
  rs.deal = deal.ticket;
  rs.volume = rq.volume;
  rs.price = price;
  return 10009;
}
}  // namespace mql

inline bool OrderCheck(const MqlTradeRequest &request, MqlTradeCheckResult &result) {
  result = MqlTradeCheckResult();
  result.retcode = mql::CheckRequest(request);
  result.balance = mql::g_broker.balance;
  result.equity = mql::g_broker.balance + mql::FloatingProfit();
  result.margin_free = result.equity;
  result.comment = result.retcode == 0 ? "Done" : "Rejected";
  return result.retcode == 0;
}

inline bool OrderSend(const MqlTradeRequest &request, MqlTradeResult &result) {
  result = MqlTradeResult();
  Sleep(mql::g_broker.orderDelayMs);
  result.retcode = mql::Execute(request, result);
  bool done = result.retcode == 10009 || result.retcode == 10008 || result.retcode == 10010;
  result.comment = done ? "Request executed" : "Request rejected";
  mql::SaveState();
  mql::ReportOrderSend(request, result);
  mql::Transaction t = {};
  t.trans.type = TRADE_TRANSACTION_REQUEST;
  t.request = request;
  t.result = result;
  mql::g_broker.pending.push_back(t);
  // The fault point of the restart tests: the order exists at the broker, the EA has not yet
  // seen the answer (so no result was recorded or posted).
  if (done && mql::g_broker.killAfterOrderSend) kill(getpid(), SIGKILL);
  if (!done) mql::g_lastError = 4756;
  return done;
}

// ---- symbols
inline int SymbolsTotal(bool selected) { (void)selected; return static_cast<int>(mql::g_broker.symbols.size()); }
inline string SymbolName(int index, bool selected) {
  (void)selected;
  if (index < 0 || index >= SymbolsTotal(true)) return string();
  return string(mql::g_broker.symbols[index].name.c_str());
}
inline bool SymbolSelect(const string &name, bool select) {
  (void)select;
  if (mql::FindSymbol(name.utf8())) return true;
  mql::g_lastError = 4301;
  return false;
}
inline bool SymbolInfoInteger(const string &name, ENUM_SYMBOL_INFO_INTEGER property, long &value) {
  mql::Symbol *s = mql::FindSymbol(name.utf8());
  if (!s) { mql::g_lastError = 4301; return false; }
  switch (property) {
    case SYMBOL_SELECT: case SYMBOL_VISIBLE: value = 1; break;
    case SYMBOL_DIGITS: value = s->digits; break;
    case SYMBOL_SPREAD: value = std::lround((s->ask - s->bid) / s->point); break;
    case SYMBOL_TRADE_STOPS_LEVEL: value = s->stopsLevel; break;
    case SYMBOL_TRADE_FREEZE_LEVEL: value = s->freezeLevel; break;
    case SYMBOL_TRADE_MODE: value = SYMBOL_TRADE_MODE_FULL; break;
    case SYMBOL_TRADE_EXEMODE: value = s->execution; break;
    case SYMBOL_FILLING_MODE: value = s->fillingFlags; break;
    case SYMBOL_TIME: value = s->priceTimeMsc / 1000 + mql::g_serverOffsetSeconds; break;
    default: mql::g_lastError = 4003; return false;
  }
  return true;
}
inline long SymbolInfoInteger(const string &name, ENUM_SYMBOL_INFO_INTEGER property) {
  long value = 0;
  SymbolInfoInteger(name, property, value);
  return value;
}
inline bool SymbolInfoDouble(const string &name, ENUM_SYMBOL_INFO_DOUBLE property, double &value) {
  mql::Symbol *s = mql::FindSymbol(name.utf8());
  if (!s) { mql::g_lastError = 4301; return false; }
  switch (property) {
    case SYMBOL_BID: value = s->bid; break;
    case SYMBOL_ASK: value = s->ask; break;
    case SYMBOL_POINT: case SYMBOL_TRADE_TICK_SIZE: value = s->point; break;
    case SYMBOL_TRADE_TICK_VALUE: value = s->tickValue; break;
    case SYMBOL_TRADE_CONTRACT_SIZE: value = s->contract; break;
    case SYMBOL_VOLUME_MIN: value = s->volumeMin; break;
    case SYMBOL_VOLUME_MAX: value = s->volumeMax; break;
    case SYMBOL_VOLUME_STEP: value = s->volumeStep; break;
    case SYMBOL_VOLUME_LIMIT: value = 0; break;
  }
  return true;
}
inline double SymbolInfoDouble(const string &name, ENUM_SYMBOL_INFO_DOUBLE property) {
  double value = 0;
  SymbolInfoDouble(name, property, value);
  return value;
}
inline bool SymbolInfoTick(const string &name, MqlTick &tick) {
  mql::Symbol *s = mql::FindSymbol(name.utf8());
  if (!s) { mql::g_lastError = 4301; return false; }
  tick = MqlTick();
  tick.bid = s->bid;
  tick.ask = s->ask;
  tick.time_msc = s->priceTimeMsc + mql::g_serverOffsetSeconds * 1000;
  tick.time = tick.time_msc / 1000;
  return true;
}

// ---- account, terminal, program
inline long AccountInfoInteger(ENUM_ACCOUNT_INFO_INTEGER property) {
  switch (property) {
    case ACCOUNT_LOGIN: return mql::g_login;
    case ACCOUNT_TRADE_ALLOWED: case ACCOUNT_TRADE_EXPERT: return 1;
    case ACCOUNT_MARGIN_MODE: return mql::g_broker.hedging ? ACCOUNT_MARGIN_MODE_RETAIL_HEDGING : ACCOUNT_MARGIN_MODE_RETAIL_NETTING;
    case ACCOUNT_LEVERAGE: return 100;
  }
  return 0;
}
inline double AccountInfoDouble(ENUM_ACCOUNT_INFO_DOUBLE property) {
  double profit = mql::FloatingProfit();
  switch (property) {
    case ACCOUNT_BALANCE: return mql::g_broker.balance;
    case ACCOUNT_EQUITY: case ACCOUNT_MARGIN_FREE: return NormalizeDouble(mql::g_broker.balance + profit, 2);
    case ACCOUNT_PROFIT: return profit;
    case ACCOUNT_MARGIN: return 0;
  }
  return 0;
}
inline string AccountInfoString(ENUM_ACCOUNT_INFO_STRING property) {
  switch (property) {
    case ACCOUNT_SERVER: return "Sortie-Emulator";
    case ACCOUNT_CURRENCY: return string(mql::g_broker.currency.c_str());
    case ACCOUNT_NAME: return "Emulated trader";
    case ACCOUNT_COMPANY: return "Sortie MQL5 emulation";
  }
  return string();
}
inline long TerminalInfoInteger(ENUM_TERMINAL_INFO_INTEGER property) { return property == TERMINAL_BUILD ? 4410 : 1; }
inline string TerminalInfoString(ENUM_TERMINAL_INFO_STRING property) {
  if (property == TERMINAL_DATA_PATH) return string(mql::g_dataDir.c_str());
  if (property == TERMINAL_COMMONDATA_PATH) return string((mql::g_dataDir + "/Common").c_str());
  return "MetaTrader 5 (emulated)";
}
inline long MQLInfoInteger(ENUM_MQL_INFO_INTEGER property) { return property == MQL_TRADE_ALLOWED ? 1 : 0; }

// ---- open positions (PositionGetTicket and PositionSelect* choose the one Get* reads)
inline int PositionsTotal() { return static_cast<int>(mql::g_broker.positions.size()); }
inline ulong PositionGetTicket(int index) {
  if (index < 0 || index >= PositionsTotal()) { mql::g_lastError = 4753; return 0; }
  mql::g_broker.selectedPosition = mql::g_broker.positions[index].ticket;
  return mql::g_broker.positions[index].ticket;
}
inline bool PositionSelectByTicket(ulong ticket) {
  if (!mql::FindPosition(ticket)) { mql::g_lastError = 4753; return false; }
  mql::g_broker.selectedPosition = ticket;
  return true;
}
inline bool PositionSelect(const string &symbol) {
  for (auto &p : mql::g_broker.positions)
    if (p.symbol == symbol.utf8()) { mql::g_broker.selectedPosition = p.ticket; return true; }
  mql::g_lastError = 4753;
  return false;
}
inline mql::Position *SelectedPosition() {
  mql::Position *p = mql::FindPosition(mql::g_broker.selectedPosition);
  if (!p) mql::g_lastError = 4753;
  return p;
}
inline long PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER property) {
  mql::Position *p = SelectedPosition();
  if (!p) return 0;
  switch (property) {
    case POSITION_TICKET: case POSITION_IDENTIFIER: return p->ticket;
    case POSITION_TYPE: return p->type;
    case POSITION_MAGIC: return p->magic;
    case POSITION_TIME: return p->timeMsc / 1000;
    case POSITION_TIME_MSC: return p->timeMsc;
  }
  return 0;
}
inline double PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE property) {
  mql::Position *p = SelectedPosition();
  if (!p) return 0;
  mql::Symbol &s = *mql::FindSymbol(p->symbol);
  switch (property) {
    case POSITION_VOLUME: return p->volume;
    case POSITION_PRICE_OPEN: return p->price;
    case POSITION_SL: return p->sl;
    case POSITION_TP: return p->tp;
    case POSITION_PRICE_CURRENT: return mql::ClosePrice(s, p->type);
    case POSITION_PROFIT: return mql::ProfitOf(s, p->type, p->volume, p->price, mql::ClosePrice(s, p->type));
    case POSITION_SWAP: return 0;
  }
  return 0;
}
inline string PositionGetString(ENUM_POSITION_PROPERTY_STRING property) {
  mql::Position *p = SelectedPosition();
  if (!p) return string();
  return string((property == POSITION_SYMBOL ? p->symbol : p->comment).c_str());
}

// ---- working orders: market orders fill at once here, so there are none
inline int OrdersTotal() { return 0; }
inline ulong OrderGetTicket(int index) { (void)index; mql::g_lastError = 4754; return 0; }
inline string OrderGetString(ENUM_ORDER_PROPERTY_STRING property) { (void)property; mql::g_lastError = 4754; return string(); }
inline double OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE property) { (void)property; mql::g_lastError = 4754; return 0; }

// ---- history: HistorySelect* fill the lists History*GetTicket and History*Get* read
inline bool HistorySelect(datetime from, datetime to) {
  auto &b = mql::g_broker;
  b.selectedDeals.clear();
  b.selectedOrders.clear();
  for (auto &d : b.deals) if (d.timeMsc / 1000 >= from && d.timeMsc / 1000 <= to) b.selectedDeals.push_back(d.ticket);
  for (auto &o : b.orders) if (o.timeMsc / 1000 >= from && o.timeMsc / 1000 <= to) b.selectedOrders.push_back(o.ticket);
  return true;
}
inline bool HistorySelectByPosition(long positionId) {
  auto &b = mql::g_broker;
  b.selectedDeals.clear();
  b.selectedOrders.clear();
  for (auto &d : b.deals) if (static_cast<long>(d.position) == positionId) b.selectedDeals.push_back(d.ticket);
  for (auto &o : b.orders) if (static_cast<long>(o.position) == positionId) b.selectedOrders.push_back(o.ticket);
  return true;
}
inline bool HistoryDealSelect(ulong ticket) {
  for (auto &d : mql::g_broker.deals)
    if (d.ticket == ticket) { mql::g_broker.selectedDeals = {ticket}; return true; }
  mql::g_lastError = 4755;
  return false;
}
inline int HistoryDealsTotal() { return static_cast<int>(mql::g_broker.selectedDeals.size()); }
inline ulong HistoryDealGetTicket(int index) {
  if (index < 0 || index >= HistoryDealsTotal()) return 0;
  return mql::g_broker.selectedDeals[index];
}
inline mql::Deal *SelectedDeal(ulong ticket) {
  auto &b = mql::g_broker;
  if (std::find(b.selectedDeals.begin(), b.selectedDeals.end(), ticket) == b.selectedDeals.end()) { mql::g_lastError = 4755; return nullptr; }
  for (auto &d : b.deals) if (d.ticket == ticket) return &d;
  return nullptr;
}
inline long HistoryDealGetInteger(ulong ticket, ENUM_DEAL_PROPERTY_INTEGER property) {
  mql::Deal *d = SelectedDeal(ticket);
  if (!d) return 0;
  switch (property) {
    case DEAL_TICKET: return d->ticket;
    case DEAL_ORDER: return d->order;
    case DEAL_POSITION_ID: return d->position;
    case DEAL_TYPE: return d->type;
    case DEAL_ENTRY: return d->entry;
    case DEAL_REASON: return d->reason;
    case DEAL_MAGIC: return d->magic;
    case DEAL_TIME: return d->timeMsc / 1000;
    case DEAL_TIME_MSC: return d->timeMsc;
  }
  return 0;
}
inline double HistoryDealGetDouble(ulong ticket, ENUM_DEAL_PROPERTY_DOUBLE property) {
  mql::Deal *d = SelectedDeal(ticket);
  if (!d) return 0;
  return property == DEAL_VOLUME ? d->volume : property == DEAL_PRICE ? d->price : property == DEAL_PROFIT ? d->profit : 0;
}
inline string HistoryDealGetString(ulong ticket, ENUM_DEAL_PROPERTY_STRING property) {
  mql::Deal *d = SelectedDeal(ticket);
  if (!d) return string();
  return string((property == DEAL_SYMBOL ? d->symbol : d->comment).c_str());
}
inline int HistoryOrdersTotal() { return static_cast<int>(mql::g_broker.selectedOrders.size()); }
inline ulong HistoryOrderGetTicket(int index) {
  if (index < 0 || index >= HistoryOrdersTotal()) return 0;
  return mql::g_broker.selectedOrders[index];
}
inline mql::Order *SelectedOrder(ulong ticket) {
  auto &b = mql::g_broker;
  if (std::find(b.selectedOrders.begin(), b.selectedOrders.end(), ticket) == b.selectedOrders.end()) { mql::g_lastError = 4754; return nullptr; }
  for (auto &o : b.orders) if (o.ticket == ticket) return &o;
  return nullptr;
}
inline long HistoryOrderGetInteger(ulong ticket, ENUM_ORDER_PROPERTY_INTEGER property) {
  mql::Order *o = SelectedOrder(ticket);
  if (!o) return 0;
  switch (property) {
    case ORDER_TICKET: return o->ticket;
    case ORDER_STATE: return o->state;
    case ORDER_TYPE: return o->type;
    case ORDER_POSITION_ID: return o->position;
    case ORDER_MAGIC: return o->magic;
    case ORDER_TIME_SETUP: case ORDER_TIME_DONE: return o->timeMsc / 1000;
  }
  return 0;
}
inline double HistoryOrderGetDouble(ulong ticket, ENUM_ORDER_PROPERTY_DOUBLE property) {
  mql::Order *o = SelectedOrder(ticket);
  if (!o) return 0;
  return property == ORDER_VOLUME_INITIAL ? o->volumeInitial : property == ORDER_VOLUME_CURRENT ? o->volumeCurrent : property == ORDER_PRICE_OPEN ? o->price : 0;
}
inline string HistoryOrderGetString(ulong ticket, ENUM_ORDER_PROPERTY_STRING property) {
  mql::Order *o = SelectedOrder(ticket);
  if (!o) return string();
  return string((property == ORDER_SYMBOL ? o->symbol : o->comment).c_str());
}

// The chart the EA is attached to shows the first symbol of --symbols.
inline string Symbol() { return SymbolName(0, true); }
#define _Symbol (Symbol())
#define _Point (SymbolInfoDouble(_Symbol, SYMBOL_POINT))
#define _Digits (static_cast<int>(SymbolInfoInteger(_Symbol, SYMBOL_DIGITS)))
