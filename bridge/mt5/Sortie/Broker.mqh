//+------------------------------------------------------------------+
//| Sortie/Broker.mqh                                                |
//| What the broker allows, and finding an earlier execution.        |
//+------------------------------------------------------------------+
//+------------------------------------------------------------------+
//| Finding an earlier execution in the terminal                     |
//+------------------------------------------------------------------+
uint Fnv1a32(const string text)
  {
   uint hash = (uint)2166136261;
   int n = StringLen(text);
   for(int i = 0; i < n; i++)
     {
      hash ^= (uint)StringGetCharacter(text, i);
      hash *= (uint)16777619;
     }
   return hash;
  }

// The order comment that carries a command id. Ids up to 31 characters are used as they are.
// Longer ids keep their head plus a hash of the whole id: a plain cut could make two legs of
// one fire look alike and turn leg 2 into a "duplicate" of leg 1.
string CommentTag(const string id)
  {
   if(StringLen(id) <= COMMENT_MAX_CHARS)
      return id;
   return Sub(id, 0, COMMENT_MAX_CHARS - 9) + "~" + StringFormat("%08X", Fnv1a32(id));
  }

// Looks for a position, pending order, deal or filled order whose comment carries the id.
// This is what makes a redelivered command safe after a crash or a lost executed.txt.
bool FindExecutedInTerminal(const string id, ulong &positionId, double &price, double &volume)
  {
   string tag = CommentTag(id);
   positionId = 0;
   price = 0;
   volume = 0;
   for(int i = PositionsTotal() - 1; i >= 0; i--)
     {
      if(PositionGetTicket(i) == 0)
         continue;
      if(PositionGetString(POSITION_COMMENT) != tag)
         continue;
      positionId = (ulong)PositionGetInteger(POSITION_IDENTIFIER);
      price = PositionGetDouble(POSITION_PRICE_OPEN);
      volume = PositionGetDouble(POSITION_VOLUME);
      return true;
     }
   for(int i = OrdersTotal() - 1; i >= 0; i--)
     {
      ulong order = OrderGetTicket(i);
      if(order == 0 || OrderGetString(ORDER_COMMENT) != tag)
         continue;
      positionId = order;   // a market order that is still being filled: its ticket becomes the position id
      price = OrderGetDouble(ORDER_PRICE_OPEN);
      volume = OrderGetDouble(ORDER_VOLUME_INITIAL);
      return true;
     }
   datetime to = TimeCurrent() + 86400;
   if(!HistorySelect(to - HISTORY_LOOKBACK_DAYS * 86400, to))
      return false;
   for(int i = HistoryDealsTotal() - 1; i >= 0; i--)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0)
         continue;
      // Any deal with the tag: the opening deal of an open, the closing deal of a close command.
      if(HistoryDealGetString(deal, DEAL_COMMENT) != tag)
         continue;
      positionId = (ulong)HistoryDealGetInteger(deal, DEAL_POSITION_ID);
      price = HistoryDealGetDouble(deal, DEAL_PRICE);
      volume = HistoryDealGetDouble(deal, DEAL_VOLUME);
      return true;
     }
   // Some brokers rewrite deal comments; the order keeps the one we sent.
   for(int i = HistoryOrdersTotal() - 1; i >= 0; i--)
     {
      ulong order = HistoryOrderGetTicket(i);
      if(order == 0 || HistoryOrderGetString(order, ORDER_COMMENT) != tag)
         continue;
      long state = HistoryOrderGetInteger(order, ORDER_STATE);
      if(state != ORDER_STATE_FILLED && state != ORDER_STATE_PARTIAL)
         continue;
      positionId = (ulong)HistoryOrderGetInteger(order, ORDER_POSITION_ID);
      if(positionId == 0)
         positionId = order;
      price = HistoryOrderGetDouble(order, ORDER_PRICE_OPEN);
      volume = HistoryOrderGetDouble(order, ORDER_VOLUME_INITIAL) - HistoryOrderGetDouble(order, ORDER_VOLUME_CURRENT);
      return true;
     }
   return false;
  }

//+------------------------------------------------------------------+
//| Trading                                                          |
//+------------------------------------------------------------------+
string RetcodeText(const uint rc)
  {
   switch(rc)
     {
      case 10004:
         return "requote: the broker offered a different price";
      case 10006:
         return "the broker rejected the order";
      case 10007:
         return "the order was cancelled in the terminal";
      case 10008:
         return "order placed";
      case 10009:
         return "done";
      case 10010:
         return "only part of the volume was filled";
      case 10011:
         return "the broker could not process the request";
      case 10012:
         return "the request timed out at the broker";
      case 10013:
         return "invalid request";
      case 10014:
         return "invalid volume for this symbol";
      case 10015:
         return "invalid price";
      case 10016:
         return "invalid stops: stop loss or take profit too close to the price or on the wrong side";
      case 10017:
         return "trading is disabled";
      case 10018:
         return "the market is closed";
      case 10019:
         return "not enough money: free margin does not cover this volume";
      case 10020:
         return "prices changed";
      case 10021:
         return "no quotes to process the request";
      case 10022:
         return "invalid order expiration";
      case 10023:
         return "the order state changed";
      case 10024:
         return "too many requests";
      case 10025:
         return "no changes in the request";
      case 10026:
         return "autotrading is disabled by the broker";
      case 10027:
         return "autotrading is disabled in the terminal (Algo Trading button)";
      case 10028:
         return "the request is locked for processing";
      case 10029:
         return "the order or position is frozen";
      case 10030:
         return "no filling mode accepted by the broker for this symbol";
      case 10031:
         return "no connection to the trade server";
      case 10032:
         return "this operation is allowed only on live accounts";
      case 10033:
         return "the limit on pending orders is reached";
      case 10034:
         return "the volume limit for this symbol is reached";
      case 10035:
         return "incorrect or prohibited order type";
      case 10036:
         return "the position is already closed";
      case 10038:
         return "close volume exceeds the position volume";
      case 10039:
         return "a close order for this position already exists";
      case 10040:
         return "the limit on open positions is reached";
      case 10041:
         return "pending order activation was rejected";
      case 10042:
         return "only long positions are allowed on this symbol";
      case 10043:
         return "only short positions are allowed on this symbol";
      case 10044:
         return "only closing positions is allowed on this symbol";
      case 10045:
         return "FIFO rule: positions must be closed in order";
      case 10046:
         return "opposite positions on one symbol are not allowed on this account";
     }
   return "the broker returned code " + IntegerToString(rc);
  }

string FillingName(const ENUM_ORDER_TYPE_FILLING filling)
  {
   if(filling == ORDER_FILLING_FOK)
      return "FOK";
   if(filling == ORDER_FILLING_IOC)
      return "IOC";
   if(filling == ORDER_FILLING_RETURN)
      return "RETURN";
   return EnumToString(filling);
  }

void AddFilling(ENUM_ORDER_TYPE_FILLING &modes[], const ENUM_ORDER_TYPE_FILLING mode)
  {
   int n = ArraySize(modes);
   ArrayResize(modes, n + 1);
   modes[n] = mode;
  }

// Filling modes to try, best first. SYMBOL_FILLING_MODE is a bit set of what the symbol
// accepts (1 = FOK, 2 = IOC). RETURN is accepted in every execution mode except Market
// execution; it is also kept as the last resort when the broker advertises nothing. A 10030
// answer moves on to the next mode.
int BuildFillingList(const string symbol, ENUM_ORDER_TYPE_FILLING &modes[])
  {
   ArrayResize(modes, 0);
   long flags = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   long execution = SymbolInfoInteger(symbol, SYMBOL_TRADE_EXEMODE);
   if((flags & SYMBOL_FILLING_FOK) != 0)
      AddFilling(modes, ORDER_FILLING_FOK);
   if((flags & SYMBOL_FILLING_IOC) != 0)
      AddFilling(modes, ORDER_FILLING_IOC);
   if(execution != SYMBOL_TRADE_EXECUTION_MARKET || ArraySize(modes) == 0)
      AddFilling(modes, ORDER_FILLING_RETURN);
   return ArraySize(modes);
  }

bool TradingPermitted(const string symbol, const bool isBuy, uint &rc, string &why)
  {
   if(TerminalInfoInteger(TERMINAL_CONNECTED) == 0)
     {
      rc = 10031;
      why = "the terminal is not connected to the broker";
      return false;
     }
   if(TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) == 0)
     {
      rc = 10027;
      why = "Algo Trading is switched off in the terminal";
      return false;
     }
   if(MQLInfoInteger(MQL_TRADE_ALLOWED) == 0)
     {
      rc = 10027;
      why = "'Allow Algo Trading' is unticked in this EA's settings";
      return false;
     }
   if(AccountInfoInteger(ACCOUNT_TRADE_ALLOWED) == 0)
     {
      rc = 10017;
      why = "trading is not allowed on this account (logged in with the investor password?)";
      return false;
     }
   if(AccountInfoInteger(ACCOUNT_TRADE_EXPERT) == 0)
     {
      rc = 10026;
      why = "the broker does not allow Expert Advisors on this account";
      return false;
     }
   long mode = SymbolInfoInteger(symbol, SYMBOL_TRADE_MODE);
   if(mode == SYMBOL_TRADE_MODE_DISABLED)
     {
      rc = 10017;
      why = "trading is disabled for " + symbol;
      return false;
     }
   if(mode == SYMBOL_TRADE_MODE_CLOSEONLY)
     {
      rc = 10044;
      why = "only closing positions is allowed on " + symbol;
      return false;
     }
   if(mode == SYMBOL_TRADE_MODE_LONGONLY && !isBuy)
     {
      rc = 10042;
      why = "only long positions are allowed on " + symbol;
      return false;
     }
   if(mode == SYMBOL_TRADE_MODE_SHORTONLY && isBuy)
     {
      rc = 10043;
      why = "only short positions are allowed on " + symbol;
      return false;
     }
   return true;
  }

int StepDigits(const double step)
  {
   for(int d = 0; d < 8; d++)
     {
      double scaled = step * MathPow(10.0, d);
      if(MathAbs(scaled - MathRound(scaled)) < 1e-7)
         return d;
     }
   return 8;
  }

// Lots rounded DOWN to the volume step in whole steps (never up: a position is never larger
// than Sortie sized it; the 1e-9 keeps 0.29 / 0.01 at 29 steps despite binary fractions).
bool NormaliseVolume(const string symbol, const double requested, double &lots, string &note)
  {
   note = "";
   double minVolume = SymbolInfoDouble(symbol, SYMBOL_VOLUME_MIN);
   double maxVolume = SymbolInfoDouble(symbol, SYMBOL_VOLUME_MAX);
   double step = SymbolInfoDouble(symbol, SYMBOL_VOLUME_STEP);
   if(step <= 0)
      step = minVolume > 0 ? minVolume : 0.01;
   int digits = StepDigits(step);
   double wanted = requested;
   if(maxVolume > 0 && wanted > maxVolume)
     {
      wanted = maxVolume;
      note = "volume capped at the broker maximum " + JsonNum(maxVolume, digits);
     }
   double steps = MathFloor(wanted / step + 1e-9);
   lots = NormalizeDouble(steps * step, digits);
   if(lots <= 0 || lots < minVolume - step * 1e-6)
     {
      note = "volume " + JsonNum(requested, 8) + " is below the broker minimum " + JsonNum(minVolume, digits) + " for " + symbol;
      return false;
     }
   if(note == "" && lots < requested - step * 1e-6)
      note = "volume rounded down to the step " + JsonNum(step, digits);
   return true;
  }

double NormalisePrice(const string symbol, const double price)
  {
   if(price <= 0)
      return 0;
   double tickSize = SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_SIZE);
   int digits = (int)SymbolInfoInteger(symbol, SYMBOL_DIGITS);
   double p = price;
   if(tickSize > 0)
      p = MathRound(p / tickSize) * tickSize;
   return NormalizeDouble(p, digits);
  }

// A symbol just added to Market Watch may need a moment before its first tick arrives.
bool GetTick(const string symbol, MqlTick &tick)
  {
   for(int i = 0; i < 10 && !IsStopped(); i++)
     {
      if(SymbolInfoTick(symbol, tick) && tick.bid > 0 && tick.ask > 0)
         return true;
      Sleep(100);
     }
   return false;
  }

// |market price - entry| > max_entry_distance. Half a point of slack absorbs binary noise;
// real prices move in whole points, so it never hides a real move.
bool PriceMoved(const SortieCommand &cmd, const double marketPrice, const double point)
  {
   if(!cmd.has_entry || !cmd.has_max_distance || cmd.entry <= 0 || cmd.max_entry_distance < 0)
      return false;
   return MathAbs(marketPrice - cmd.entry) > cmd.max_entry_distance + point * 0.5;
  }

// SL/TP of a new position must be at least SYMBOL_TRADE_STOPS_LEVEL points from the price the
// position would close at (bid for a buy, ask for a sell). SYMBOL_TRADE_FREEZE_LEVEL forbids
// changing stops inside its distance; honouring it too keeps the stops movable afterwards.
bool StopsValid(const string symbol, const bool isBuy, const MqlTick &tick, const double sl, const double tp, string &why)
  {
   double point = SymbolInfoDouble(symbol, SYMBOL_POINT);
   int digits = (int)SymbolInfoInteger(symbol, SYMBOL_DIGITS);
   long stopsLevel = SymbolInfoInteger(symbol, SYMBOL_TRADE_STOPS_LEVEL);
   long freezeLevel = SymbolInfoInteger(symbol, SYMBOL_TRADE_FREEZE_LEVEL);
   long levelPoints = (long)MathMax(stopsLevel, freezeLevel);
   double minDistance = levelPoints * point;
   double closePrice = isBuy ? tick.bid : tick.ask;
   string against = isBuy ? "bid " : "ask ";
   if(sl > 0)
     {
      if(isBuy && sl >= closePrice)
        {
         why = "stop loss " + DoubleToString(sl, digits) + " is not below the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(!isBuy && sl <= closePrice)
        {
         why = "stop loss " + DoubleToString(sl, digits) + " is not above the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(minDistance > 0 && MathAbs(closePrice - sl) < minDistance - point * 0.5)
        {
         why = "stop loss is closer to the price than the broker minimum of " + IntegerToString(levelPoints) + " points";
         return false;
        }
     }
   if(tp > 0)
     {
      if(isBuy && tp <= closePrice)
        {
         why = "take profit " + DoubleToString(tp, digits) + " is not above the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(!isBuy && tp >= closePrice)
        {
         why = "take profit " + DoubleToString(tp, digits) + " is not below the current " + against + DoubleToString(closePrice, digits);
         return false;
        }
      if(minDistance > 0 && MathAbs(tp - closePrice) < minDistance - point * 0.5)
        {
         why = "take profit is closer to the price than the broker minimum of " + IntegerToString(levelPoints) + " points";
         return false;
        }
     }
   return true;
  }

ulong DeviationPoints(const SortieCommand &cmd, const double point)
  {
   if(cmd.has_max_distance && cmd.max_entry_distance > 0 && point > 0)
      return (ulong)MathMax(1.0, MathRound(cmd.max_entry_distance / point));
   return 20;
  }

void FillFromResult(ExecRecord &rec, const MqlTradeResult &result, const double requestedPrice, const double lots)
  {
   g_lastDeal = result.deal;
   ulong positionId = result.order;   // the opening order's ticket is the new position's identifier
   double price = result.price;
   double volume = result.volume;
   if(result.deal > 0 && HistoryDealSelect(result.deal))
     {
      ulong fromDeal = (ulong)HistoryDealGetInteger(result.deal, DEAL_POSITION_ID);
      if(fromDeal > 0)
         positionId = fromDeal;   // on netting accounts this is the existing position
      if(price <= 0)
         price = HistoryDealGetDouble(result.deal, DEAL_PRICE);
      if(volume <= 0)
         volume = HistoryDealGetDouble(result.deal, DEAL_VOLUME);
     }
   if(price <= 0)
      price = requestedPrice;
   if(volume <= 0)
      volume = lots;
   rec.ticket = positionId;
   rec.price = price;
   rec.volume = volume;
   string message = "filled";
   if(result.retcode == 10010)
      message = "partially filled: " + JsonNum(volume, 8) + " of " + JsonNum(lots, 8) + " lots";
   else
      if(result.retcode == 10008)
         message = "order placed; the broker is filling it";
   SetOutcome(rec, "filled", result.retcode, message);
  }

bool IsExpired(const SortieCommand &cmd)
  {
   datetime expiresUtc;
   if(!cmd.has_expiry || !CommandExpiry(cmd, expiresUtc))
      return false;
   return NowUtc() >= expiresUtc;
  }
