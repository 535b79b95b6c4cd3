//+------------------------------------------------------------------+
//| Sortie/Reporting.mqh                                             |
//| Results and closed positions back to Sortie.                     |
//+------------------------------------------------------------------+

int PriceDigits(const string symbol)
  {
   long digits = 0;
   if(symbol != "" && SymbolInfoInteger(symbol, SYMBOL_DIGITS, digits))
      return (int)digits;
   return 8;
  }

string ResultJson(const ExecRecord &r)
  {
   return "{\"id\":" + JsonString(r.id) +
          ",\"status\":" + JsonString(r.status) +
          ",\"retcode\":" + IntegerToString(r.retcode) +
          ",\"ticket\":" + IntegerToString((long)r.ticket) +
          ",\"price\":" + JsonNum(r.price, PriceDigits(r.symbol)) +
          ",\"volume\":" + JsonNum(r.volume, 8) +
          ",\"message\":" + JsonString(Sub(r.message, 0, 900)) + "}";   // Sortie accepts up to 1000 characters
  }

void QueueResult(const ExecRecord &r)
  {
   Enqueue("result", r.id, ResultJson(r));
  }

// 1 = delivered, 0 = refused (try later), -1 = transport down (stop this round).
int DeliverOutboxItem(const OutboxItem &item)
  {
   if(Transport == TRANSPORT_FILE)
     {
      // File drop: the same body plus a "type" so one out/ folder can carry both kinds.
      string type = item.kind == "closed" ? "closed" : "result";
      string name = item.kind == "closed" ? item.id + ".closed.json" : item.id + ".json";
      string typed = "{\"type\":\"" + type + "\"," + Sub(item.body, 1, StringLen(item.body) - 1);
      return WriteFileAtomic(OUTBOX_DIR + "\\" + name, typed) ? 1 : -1;
     }
   string path = item.kind == "closed" ? "/bridge/v1/closed" : "/bridge/v1/results";
   string response;
   int status = HttpRequest("POST", path, item.body, HTTP_TIMEOUT_MS, response);
   if(status >= 200 && status < 300)
      return 1;
   if(status < 0)
      return -1;
   LogThrottled("outbox " + IntegerToString(status),
                "server answered " + IntegerToString(status) + " to " + path + " for " + item.id + ": " +
                Sub(response, 0, 300) + " (will retry)");
   return 0;
  }

void FlushOutbox()
  {
   datetime now = NowUtc();
   bool changed = false;
   int tried = 0;
   int i = 0;
   while(i < ArraySize(g_outbox) && tried < OUTBOX_BATCH && !IsStopped())
     {
      if(g_outbox[i].next_try > now)
        {
         i++;
         continue;
        }
      tried++;
      int delivered = DeliverOutboxItem(g_outbox[i]);
      if(delivered == 1)
        {
         Log("sent " + g_outbox[i].kind + " for " + g_outbox[i].id);
         RemoveOutboxAt(i);
         changed = true;
         continue;
        }
      if(now - g_outbox[i].created > OUTBOX_MAX_AGE_DAYS * 86400)
        {
         Log("dropping " + g_outbox[i].kind + " for " + g_outbox[i].id + ": not accepted for " +
             IntegerToString(OUTBOX_MAX_AGE_DAYS) + " days");
         RemoveOutboxAt(i);
         changed = true;
         continue;
        }
      g_outbox[i].attempts++;
      int delay = (int)MathMin(300.0, MathPow(2.0, (double)MathMin(g_outbox[i].attempts, 9)));
      g_outbox[i].next_try = now + delay;
      if(delivered < 0)
         break;   // server unreachable: later items would only wait for the same timeout
      i++;
     }
   if(changed)
      SaveOutbox();
  }
//| Closed positions                                                 |
//+------------------------------------------------------------------+
bool IsPositionOpen(const ulong positionId)
  {
   for(int i = PositionsTotal() - 1; i >= 0; i--)
     {
      if(PositionGetTicket(i) == 0)
         continue;
      if((ulong)PositionGetInteger(POSITION_IDENTIFIER) == positionId)
         return true;
     }
   return false;
  }

// Queues the closed message of the open command g_records[idx] and records it (with the volume and
// profit it reports) so it is sent once. closedAt is the trade server's time.
void QueueClosed(const int idx, const ulong positionId, const double closePrice, const double net,
                 const datetime closedAt, const double volume)
  {
   string body = "{\"id\":" + JsonString(g_records[idx].id) +
                 ",\"ticket\":" + IntegerToString((long)positionId) +
                 ",\"close_price\":" + JsonNum(closePrice, PriceDigits(g_records[idx].symbol)) +
                 ",\"profit\":" + JsonNum(net, 2) +
                 ",\"closed_at\":" + JsonString(IsoUtc(ServerToUtc(closedAt))) +
                 ",\"volume\":" + JsonNum(volume, 8) +
                 ",\"currency\":" + JsonString(AccountInfoString(ACCOUNT_CURRENCY)) + "}";
   Enqueue("closed", g_records[idx].id, body);
   g_records[idx].closed = true;
   g_records[idx].closed_volume = volume;
   g_records[idx].closed_profit = net;
   AppendLine(EXECUTED_FILE, ClosedLine(g_records[idx]));
   Log("position " + IntegerToString((long)positionId) + " of command " + g_records[idx].id + " closed @ " +
       JsonNum(closePrice, PriceDigits(g_records[idx].symbol)) + ", profit " + JsonNum(net, 2) + " " +
       AccountInfoString(ACCOUNT_CURRENCY));
  }

// Queues the closed message once the position is fully closed. profit = profit + swap +
// commission summed over all deals of the position (the opening commission included).
void CheckRecordClosed(const int idx)
  {
   ulong positionId = g_records[idx].ticket;
   if(positionId == 0 || IsPositionOpen(positionId))
      return;
   if(!HistorySelectByPosition((long)positionId))
      return;
   double inVolume = 0, outVolume = 0, net = 0, closePrice = 0;
   datetime closedAt = 0;
   long lastOutMsc = -1;
   int deals = HistoryDealsTotal();
   for(int i = 0; i < deals; i++)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0)
         continue;
      long entry = HistoryDealGetInteger(deal, DEAL_ENTRY);
      double volume = HistoryDealGetDouble(deal, DEAL_VOLUME);
      net += HistoryDealGetDouble(deal, DEAL_PROFIT) + HistoryDealGetDouble(deal, DEAL_SWAP) + HistoryDealGetDouble(deal, DEAL_COMMISSION);
      if(entry == DEAL_ENTRY_IN)
         inVolume += volume;
      else
         if(entry == DEAL_ENTRY_OUT || entry == DEAL_ENTRY_OUT_BY || entry == DEAL_ENTRY_INOUT)
           {
            outVolume += volume;
            long msc = HistoryDealGetInteger(deal, DEAL_TIME_MSC);
            if(msc >= lastOutMsc)
              {
               lastOutMsc = msc;
               closePrice = HistoryDealGetDouble(deal, DEAL_PRICE);
               closedAt = (datetime)HistoryDealGetInteger(deal, DEAL_TIME);
              }
           }
     }
   if(outVolume <= 0)
      return;   // history not synchronised yet: the next scan tries again
   if(inVolume > 0 && outVolume < inVolume - 1e-8)
      return;   // partly closed
   // On a netting account several commands (the legs of a fire) build one position: each is
   // reported with its share of the volume and profit, so Sortie counts the position once. Legs
   // already reported (closed on their own by ReportLegClosed, or earlier in this scan) keep what
   // they reported: the others share the rest.
   for(int j = 0; j < ArraySize(g_records); j++)
      if(j != idx && g_records[j].ticket == positionId && g_records[j].kind == "open" && g_records[j].closed)
        {
         inVolume -= g_records[j].closed_volume;
         net -= g_records[j].closed_profit;
        }
   double own = g_records[idx].volume;
   if(own > 0 && inVolume > own + 1e-8)
     {
      net = net * own / inVolume;
      outVolume = own;
     }
   else
      if(own > 0)
         outVolume = own;
   QueueClosed(idx, positionId, closePrice, net, closedAt, outVolume);
  }

// The exit deal of `volume` on the position: the last deal the EA made when it is one, else the
// position's latest exit of that volume. 0 when the history does not have it (yet).
ulong ExitDeal(const ulong positionId, const double volume)
  {
   if(g_lastDeal > 0 && HistoryDealSelect(g_lastDeal) &&
      (ulong)HistoryDealGetInteger(g_lastDeal, DEAL_POSITION_ID) == positionId)
      return g_lastDeal;
   if(!HistorySelectByPosition((long)positionId))
      return 0;
   ulong found = 0;
   long latest = -1;
   for(int i = 0; i < HistoryDealsTotal(); i++)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0)
         continue;
      long entry = HistoryDealGetInteger(deal, DEAL_ENTRY);
      if(entry != DEAL_ENTRY_OUT && entry != DEAL_ENTRY_OUT_BY)
         continue;
      if(MathAbs(HistoryDealGetDouble(deal, DEAL_VOLUME) - volume) > 1e-8)
         continue;
      long msc = HistoryDealGetInteger(deal, DEAL_TIME_MSC);
      if(msc >= latest)
        {
         latest = msc;
         found = deal;
        }
     }
   return found;
  }

// Netting accounts: a close command took one leg's whole volume out of a position that the other
// legs still hold. The position stays open, so CheckRecordClosed would report this leg only when
// the last leg goes, and with a share of the whole position's profit: report it now, from its
// own closing deal (CONTRACT.md: a close also produces the usual closed message).
void ReportLegClosed(const string openId, const double closedVolume)
  {
   int idx = FindRecord(openId);
   if(idx < 0 || g_records[idx].closed || g_records[idx].ticket == 0 || g_records[idx].kind != "open")
      return;
   ulong positionId = g_records[idx].ticket;
   double own = g_records[idx].volume;
   if(!IsPositionOpen(positionId) || closedVolume < own - 1e-8)
      return;   // the whole position closed (the next scan reports it), or only part of this leg
   ulong deal = ExitDeal(positionId, closedVolume);
   if(deal == 0)
      return;   // not in the history yet: the leg is reported when the position closes
   double net = HistoryDealGetDouble(deal, DEAL_PROFIT) + HistoryDealGetDouble(deal, DEAL_SWAP) +
                HistoryDealGetDouble(deal, DEAL_COMMISSION);
   QueueClosed(idx, positionId, HistoryDealGetDouble(deal, DEAL_PRICE), net,
               (datetime)HistoryDealGetInteger(deal, DEAL_TIME), own);
  }

// A position with our magic number whose id the store does not know (e.g. executed.txt was
// deleted): the opening deal's comment names the command.
void AdoptPositionByComment(const ulong positionId)
  {
   if(!HistorySelectByPosition((long)positionId))
      return;
   string comment = "";
   string symbol = "";
   double price = 0, volume = 0;
   for(int i = 0; i < HistoryDealsTotal(); i++)
     {
      ulong deal = HistoryDealGetTicket(i);
      if(deal == 0 || HistoryDealGetInteger(deal, DEAL_ENTRY) != DEAL_ENTRY_IN)
         continue;
      comment = HistoryDealGetString(deal, DEAL_COMMENT);
      symbol = HistoryDealGetString(deal, DEAL_SYMBOL);
      price = HistoryDealGetDouble(deal, DEAL_PRICE);
      volume = HistoryDealGetDouble(deal, DEAL_VOLUME);
      break;
     }
   if(comment == "")
      return;
   int idx = -1;
   for(int i = 0; i < ArraySize(g_records); i++)
      if(CommentTag(g_records[i].id) == comment)
        {
         idx = i;
         break;
        }
   if(idx < 0)
     {
      // Only a comment that is a whole id can stand for one (long ids carry a hash, see CommentTag).
      if(StringFind(comment, "~") >= 0 || IdProblem(comment) != "")
         return;
      ExecRecord rec;
      InitRecord(rec, comment, symbol);
      rec.price = price;
      rec.volume = volume;
      SetOutcome(rec, "filled", 10009, "recovered from the terminal");
      rec.ticket = positionId;
      SaveRecord(rec);
      idx = FindRecord(comment);
      Log("recovered command " + comment + " from position " + IntegerToString((long)positionId));
     }
   if(idx < 0 || g_records[idx].closed)
      return;
   if(g_records[idx].ticket != positionId)
     {
      g_records[idx].ticket = positionId;
      SaveRecord(g_records[idx]);
     }
   CheckRecordClosed(idx);
  }

// Fallback for missed OnTradeTransaction events (EA off, terminal restarted).
void ScanClosedPositions()
  {
   datetime now = NowUtc();
   for(int i = 0; i < ArraySize(g_records) && !IsStopped(); i++)
     {
      if(g_records[i].status != "filled" || g_records[i].closed || g_records[i].kind != "open")
         continue;
      if(g_records[i].ticket == 0)
        {
         // Filled without a known position (answer 10008): look it up by comment for a week.
         if(now - g_records[i].updated > 7 * 86400)
            continue;
         ulong positionId;
         double price, volume;
         if(!FindExecutedInTerminal(g_records[i].id, positionId, price, volume) || positionId == 0)
            continue;
         g_records[i].ticket = positionId;
         SaveRecord(g_records[i]);
        }
      CheckRecordClosed(i);
     }
  }

//+------------------------------------------------------------------+
