//+------------------------------------------------------------------+
//| Sortie/Manage.mqh                                                |
//| Protocol 1.1: modify (SL/TP) and close (all or part) a position  |
//| opened by an earlier open command (`position_of`).               |
//+------------------------------------------------------------------+
// The position an open command made, if it is still open (selected for PositionGet*), and the
// volume that command opened; otherwise `why` says whether it existed.
bool SelectPositionOf(const string openId, ulong &positionId, double &openedVolume, string &why)
  {
   positionId = 0;
   openedVolume = 0;
   why = "position already closed";
   int idx = FindRecord(openId);
   if(idx >= 0 && g_records[idx].ticket > 0)
     {
      positionId = g_records[idx].ticket;
      openedVolume = g_records[idx].volume;
     }
   else
     {
      double price;
      if(!FindExecutedInTerminal(openId, positionId, price, openedVolume))
        {
         why = "position not found in the terminal";
         return false;
        }
     }
   if(positionId > 0 && PositionSelectByTicket(positionId))
      return true;
   // Netting accounts: the position keeps the identifier of the order that opened it.
   for(int i = PositionsTotal() - 1; i >= 0; i--)
      if(PositionGetTicket(i) > 0 && (ulong)PositionGetInteger(POSITION_IDENTIFIER) == positionId)
         return true;
   return false;
  }

// New SL/TP on the position, as Sortie sends both: take_profit null means no take profit (a
// missing stop_loss keeps the current one). Prices go to the tick size and must respect the
// broker's stops level (StopsValid).
void ModifyPosition(const SortieCommand &cmd, const ulong positionId, const bool isBuy, ExecRecord &rec)
  {
   double sl = cmd.has_stop_loss ? NormalisePrice(cmd.symbol, cmd.stop_loss) : PositionGetDouble(POSITION_SL);
   double tp = cmd.has_take_profit ? NormalisePrice(cmd.symbol, cmd.take_profit) : 0;
   rec.price = PositionGetDouble(POSITION_PRICE_OPEN);
   rec.volume = PositionGetDouble(POSITION_VOLUME);
   MqlTick tick;
   string why;
   if(!GetTick(cmd.symbol, tick))
     {
      SetOutcome(rec, "rejected", 10021, "no price quote for " + cmd.symbol);
      return;
     }
   if(!StopsValid(cmd.symbol, isBuy, tick, sl, tp, why))
     {
      SetOutcome(rec, "rejected", 10016, "invalid stops: " + why);
      return;
     }
   MqlTradeRequest request;
   MqlTradeResult result;
   ZeroMemory(request);
   ZeroMemory(result);
   request.action = TRADE_ACTION_SLTP;
   request.position = positionId;
   request.symbol = cmd.symbol;
   request.sl = sl;
   request.tp = tp;
   request.magic = MagicNumber;
   ResetLastError();
   OrderSend(request, result);
   int digits = PriceDigits(cmd.symbol);
   string levels = "stop loss " + JsonNum(sl, digits) + ", take profit " + JsonNum(tp, digits);
   Log(cmd.id + ": modify position " + IntegerToString((long)positionId) + " to " + levels + " -> retcode " +
       IntegerToString(result.retcode));
   if(result.retcode == 10009 || result.retcode == 10008)
      SetOutcome(rec, "filled", result.retcode, levels);
   else
      if(result.retcode == 10025)
         SetOutcome(rec, "filled", result.retcode, "already at " + levels);
      else
         SetOutcome(rec, "rejected", result.retcode, RetcodeText(result.retcode) + " (" + IntegerToString(result.retcode) + ")");
  }

// Closes what the open command opened (volume null) or part of it, rounded down to the volume
// step. On a netting account several legs share one position: a leg's close takes only its own
// volume out, never the other legs'.
void ClosePosition(const SortieCommand &cmd, const ulong positionId, const bool positionIsBuy, const double openedVolume,
                   ExecRecord &rec)
  {
   double open = PositionGetDouble(POSITION_VOLUME);
   double lots = openedVolume > 0 && openedVolume < open ? openedVolume : open;
   string note = "";
   if(cmd.has_volume && cmd.volume < lots)
     {
      if(!NormaliseVolume(cmd.symbol, cmd.volume, lots, note))
        {
         SetOutcome(rec, "rejected", 10014, note);
         return;
        }
     }
   SendWithRetries(cmd, !positionIsBuy, lots, 0, 0, positionId, rec);
   if(rec.status == "filled")
      rec.message = (lots < open ? "closed " + JsonNum(lots, 8) + " of " + JsonNum(open, 8) + " lots" : "closed") +
                    (note != "" ? " (" + note + ")" : "");
  }

void ManageCommand(const SortieCommand &cmd, const string action, ExecRecord &rec)
  {
   if(cmd.position_of == "" || cmd.symbol == "")
     {
      SetOutcome(rec, "failed", 0, "bad command: " + action + " needs position_of and symbol");
      return;
     }
   ulong positionId;
   double openedVolume;
   string why;
   if(!SelectPositionOf(cmd.position_of, positionId, openedVolume, why))
     {
      rec.ticket = positionId;
      SetOutcome(rec, "rejected", 10036, why);
      return;
     }
   rec.ticket = positionId;
   bool isBuy = PositionGetInteger(POSITION_TYPE) == POSITION_TYPE_BUY;
   // Exactly-once, as for an open: the id is on disk before the broker hears of it.
   SetOutcome(rec, "sending", 0, "");
   if(!SaveRecord(rec))
     {
      SetOutcome(rec, "failed", 0, "could not record the command id in " + EXECUTED_FILE + "; nothing sent");
      return;
     }
   if(action == "modify")
      ModifyPosition(cmd, positionId, isBuy, rec);
   else
      ClosePosition(cmd, positionId, isBuy, openedVolume, rec);
  }
