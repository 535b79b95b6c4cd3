//+------------------------------------------------------------------+
//| Sortie/Execution.mqh                                             |
//| Executing commands exactly once.                                 |
//+------------------------------------------------------------------+

void ManageCommand(const SortieCommand &cmd, const string action, ExecRecord &rec);   // Manage.mqh

// Sends the order, retrying what is worth retrying. Fills rec with the outcome. `closing` is the
// position a close command reduces (0 = a new position: the entry and stops are checked first).
void SendWithRetries(const SortieCommand &cmd, const bool isBuy, const double lots, const double sl, const double tp,
                     const ulong closing, ExecRecord &rec)
  {
   ENUM_ORDER_TYPE_FILLING fillings[];
   int fillCount = BuildFillingList(cmd.symbol, fillings);
   int fillIndex = 0;
   int retriesLeft = g_maxRetries;
   int retriesUsed = 0;
   string tag = CommentTag(cmd.id);
   double point = SymbolInfoDouble(cmd.symbol, SYMBOL_POINT);
   int digits = (int)SymbolInfoInteger(cmd.symbol, SYMBOL_DIGITS);
   // Hard stop on attempts; the real limits are MaxRetries and the number of filling modes.
   for(int attempt = 1; attempt <= 50; attempt++)
     {
      if(IsStopped())
        {
         SetOutcome(rec, "failed", 0, "the EA was stopped before the order was sent");
         return;
        }
      if(attempt > 1 && IsExpired(cmd))
        {
         SetOutcome(rec, "failed", 0, "expired");
         return;
        }
      MqlTick tick;
      if(!GetTick(cmd.symbol, tick))
        {
         SetOutcome(rec, "rejected", 10021, "no price quote for " + cmd.symbol);
         return;
        }
      double price = NormalizeDouble(isBuy ? tick.ask : tick.bid, digits);
      if(closing == 0 && PriceMoved(cmd, price, point))
        {
         SetOutcome(rec, "rejected", 0, "price moved");
         return;
        }
      string why;
      if(closing == 0 && !StopsValid(cmd.symbol, isBuy, tick, sl, tp, why))
        {
         SetOutcome(rec, "rejected", 10016, why);
         return;
        }
      MqlTradeRequest request;
      MqlTradeResult result;
      ZeroMemory(request);
      ZeroMemory(result);
      request.action = TRADE_ACTION_DEAL;
      request.symbol = cmd.symbol;
      request.volume = lots;
      request.type = isBuy ? ORDER_TYPE_BUY : ORDER_TYPE_SELL;
      request.price = price;
      request.sl = sl;
      request.tp = tp;
      request.deviation = DeviationPoints(cmd, point);
      request.magic = MagicNumber;
      request.comment = tag;
      request.type_filling = fillings[fillIndex];
      request.type_time = ORDER_TIME_GTC;
      request.position = closing;
      ResetLastError();
      bool accepted = OrderSend(request, result);
      int err = GetLastError();
      uint rc = result.retcode;
      Log(StringFormat("%s attempt %d: %s %s %s lots @ %s sl=%s tp=%s filling=%s -> retcode %u (%s)%s",
                       cmd.id, attempt, isBuy ? "BUY" : "SELL", cmd.symbol, JsonNum(lots, 8),
                       DoubleToString(price, digits), DoubleToString(sl, digits), DoubleToString(tp, digits),
                       FillingName(fillings[fillIndex]), rc, result.comment,
                       accepted ? "" : ", OrderSend error " + IntegerToString(err)));
      if(rc == 10009 || rc == 10010 || rc == 10008)
        {
         FillFromResult(rec, result, price, lots);
         return;
        }
      if(rc == 10030 && fillIndex + 1 < fillCount)
        {
         fillIndex++;   // the broker refused this filling mode: try the next one
         continue;
        }
      if((rc == 10004 || rc == 10020 || rc == 10021 || rc == 10024) && retriesLeft > 0)
        {
         retriesLeft--;
         retriesUsed++;
         Sleep(rc == 10024 ? 1000 : 300);   // then refresh the price and try again
         continue;
        }
      // Not filled as far as the answer says. A timeout or a lost answer can hide a fill, so look
      // for the id in the terminal before calling it rejected.
      if(rc == 0 || rc == 10011 || rc == 10012)
        {
         Sleep(500);
         ulong positionId;
         double foundPrice, foundVolume;
         if(FindExecutedInTerminal(cmd.id, positionId, foundPrice, foundVolume))
           {
            rec.ticket = positionId;
            rec.price = foundPrice;
            rec.volume = foundVolume;
            SetOutcome(rec, "filled", 10009, "filled (confirmed from the terminal after an unclear answer)");
            return;
           }
        }
      string retried = retriesUsed > 0 ? " after " + IntegerToString(retriesUsed) + " retries" : "";
      if(rc == 0)
        {
         SetOutcome(rec, "failed", 0, "the terminal did not send the order (error " + IntegerToString(err) + ")" + retried);
         return;
        }
      SetOutcome(rec, "rejected", rc, RetcodeText(rc) + " (" + IntegerToString(rc) + ")" + retried);
      return;
     }
   SetOutcome(rec, "rejected", 0, "gave up after too many attempts");
  }

// Validates a new command and trades it. The id is recorded (flushed) BEFORE OrderSend.
void ExecuteCommand(const SortieCommand &cmd, ExecRecord &rec)
  {
   if(cmd.problem != "")
     {
      SetOutcome(rec, "failed", 0, "bad command: " + cmd.problem);
      return;
     }
   string action = cmd.action;
   StringToLower(action);
   if(action == "modify" || action == "close")
     {
      ManageCommand(cmd, action, rec);
      return;
     }
   if(action != "open")
     {
      SetOutcome(rec, "failed", 0, "unsupported action '" + cmd.action + "'");
      return;
     }
   if(cmd.has_expiry)
     {
      datetime expiresUtc;
      if(!CommandExpiry(cmd, expiresUtc))
        {
         SetOutcome(rec, "failed", 0, "bad command: expires_at '" + cmd.expires_text + "' is not a time");
         return;
        }
      if(NowUtc() >= expiresUtc)
        {
         SetOutcome(rec, "failed", 0, "expired");
         return;
        }
     }
   string side = cmd.side;
   StringToUpper(side);
   if(side != "BUY" && side != "SELL")
     {
      SetOutcome(rec, "failed", 0, "bad command: side must be BUY or SELL");
      return;
     }
   bool isBuy = (side == "BUY");
   if(cmd.symbol == "")
     {
      SetOutcome(rec, "failed", 0, "bad command: symbol is missing");
      return;
     }
   if(!cmd.has_volume || cmd.volume <= 0)
     {
      SetOutcome(rec, "failed", 0, "bad command: volume must be above 0");
      return;
     }
   if(cmd.stop_loss < 0 || cmd.take_profit < 0)
     {
      SetOutcome(rec, "failed", 0, "bad command: negative stop loss or take profit");
      return;
     }
   if(!SymbolSelect(cmd.symbol, true))
     {
      SetOutcome(rec, "rejected", 0, "unknown symbol " + cmd.symbol + " at this broker");
      return;
     }
   uint rc = 0;
   string why = "";
   if(!TradingPermitted(cmd.symbol, isBuy, rc, why))
     {
      SetOutcome(rec, "rejected", rc, why);
      return;
     }
   double lots;
   string volumeNote;
   if(!NormaliseVolume(cmd.symbol, cmd.volume, lots, volumeNote))
     {
      SetOutcome(rec, "rejected", 10014, volumeNote);
      return;
     }
   MqlTick tick;
   if(!GetTick(cmd.symbol, tick))
     {
      SetOutcome(rec, "rejected", 10021, "no price quote for " + cmd.symbol);
      return;
     }
   double point = SymbolInfoDouble(cmd.symbol, SYMBOL_POINT);
   if(PriceMoved(cmd, isBuy ? tick.ask : tick.bid, point))
     {
      SetOutcome(rec, "rejected", 0, "price moved");
      return;
     }
   double sl = NormalisePrice(cmd.symbol, cmd.stop_loss);
   double tp = NormalisePrice(cmd.symbol, cmd.take_profit);
   if(!StopsValid(cmd.symbol, isBuy, tick, sl, tp, why))
     {
      SetOutcome(rec, "rejected", 10016, why);
      return;
     }
   // Exactly-once: the id is on disk before the order can exist. If the EA dies after this
   // line, the restart finds "sending" and checks the terminal instead of trading again.
   SetOutcome(rec, "sending", 0, "");
   if(!SaveRecord(rec))
     {
      SetOutcome(rec, "failed", 0, "could not record the command id in " + EXECUTED_FILE + "; order not sent");
      return;
     }
   SendWithRetries(cmd, isBuy, lots, sl, tp, 0, rec);
   if(rec.status == "filled" && volumeNote != "")
      rec.message += " (" + volumeNote + ")";
  }


void FinishCommand(ExecRecord &rec, const SortieCommand &cmd)
  {
   if(!SaveRecord(rec))
      Log("WARNING: could not write the result of " + rec.id + " to " + EXECUTED_FILE);
   QueueResult(rec);
   string action = cmd.action;
   StringToLower(action);
   if(rec.kind == "manage" && action == "close" && rec.status == "filled")
      ReportLegClosed(cmd.position_of, rec.volume);   // after the close's result, as on hedging accounts
   string what = cmd.side + " " + JsonNum(cmd.volume, 8) + " " + cmd.symbol;
   if(rec.kind != "open")
      what = cmd.action + " " + cmd.symbol + " position of " + cmd.position_of;
   string detail = rec.status == "filled"
                   ? "ticket " + IntegerToString((long)rec.ticket) + " @ " + JsonNum(rec.price, PriceDigits(rec.symbol)) + ", " + JsonNum(rec.volume, 8) + " lots"
                   : rec.message;
   Log("command " + rec.id + " (fire " + cmd.fire_id + " leg " + cmd.leg + "): " + what + " -> " + rec.status +
       " (retcode " + IntegerToString(rec.retcode) + ") " + detail);
  }

void HandleCommand(SortieCommand &cmd)
  {
   if(cmd.id == "")
     {
      Log("skipped a command without an id (fire " + cmd.fire_id + ")");
      return;
     }
   string problem = IdProblem(cmd.id);
   if(problem != "")
     {
      Log("skipped a command: " + problem + " (fire " + cmd.fire_id + ")");
      return;
     }
   int idx = FindRecord(cmd.id);
   if(idx >= 0 && g_records[idx].status != "sending" && g_records[idx].status != "")
     {
      // Redelivery (at-least-once from Sortie): answer with what happened, never trade again.
      Log("command " + cmd.id + " was already handled (" + g_records[idx].status + "); re-reporting its result");
      QueueResult(g_records[idx]);
      return;
     }
   string action = cmd.action;
   StringToLower(action);
   ExecRecord rec;
   InitRecord(rec, cmd.id, cmd.symbol);
   if(action == "modify" || action == "close")
      rec.kind = "manage";
   ulong positionId;
   double price, volume;
   if(FindExecutedInTerminal(cmd.id, positionId, price, volume))
     {
      rec.ticket = positionId;
      rec.price = price;
      rec.volume = volume;
      SetOutcome(rec, "filled", 10009, "already executed (found in the terminal by its order comment)");
      FinishCommand(rec, cmd);
      return;
     }
   if(idx >= 0 && action != "modify")
     {
      // Recorded as "sending" but no trace in the terminal: the EA stopped between recording
      // and the broker's answer. Sending again could open a second position (or close more
      // than asked), so it is not. A modify is applied again: the same levels twice are harmless.
      SetOutcome(rec, "failed", 0, "interrupted before the broker confirmed the order; not sent again to avoid a duplicate - check the terminal");
      FinishCommand(rec, cmd);
      return;
     }
   ExecuteCommand(cmd, rec);
   FinishCommand(rec, cmd);
  }

// Parses a commands document and handles each command. Bad JSON is logged and skipped.
bool ProcessCommandsText(const string text, const string source)
  {
   SortieCommand cmds[];
   if(!ParseCommandsText(text, cmds))
     {
      Log("skipped malformed JSON from " + source + ": " + g_jerr + " | " + Sub(text, 0, 200));
      return false;
     }
   for(int i = 0; i < ArraySize(cmds) && !IsStopped(); i++)
      HandleCommand(cmds[i]);
   return true;
  }

//+------------------------------------------------------------------+
