//+------------------------------------------------------------------+
//| Sortie/Persistence.mqh                                           |
//| Files in MQL5/Files: the executed-ids store and the outbox.      |
//+------------------------------------------------------------------+
//+------------------------------------------------------------------+
//| Files (all under MQL5/Files, the terminal's sandbox)             |
//+------------------------------------------------------------------+
bool ReadFileText(const string path, string &out)
  {
   out = "";
   int h = FileOpen(path, FILE_READ | FILE_BIN | FILE_SHARE_READ | FILE_SHARE_WRITE);
   if(h == INVALID_HANDLE)
      return false;
   int size = (int)FileSize(h);
   if(size > 0)
     {
      uchar bytes[];
      ArrayResize(bytes, size);
      uint got = FileReadArray(h, bytes, 0, size);
      if((int)got > 0)
         out = CharArrayToString(bytes, 0, (int)got, CP_UTF8);
     }
   FileClose(h);
   if(StringLen(out) > 0 && StringGetCharacter(out, 0) == 0xFEFF)
      out = Sub(out, 1, StringLen(out) - 1);
   return true;
  }

int Utf8Bytes(const string text, uchar &bytes[])
  {
   int n = StringToCharArray(text, bytes, 0, WHOLE_ARRAY, CP_UTF8);
   if(n > 0 && bytes[n - 1] == 0)
      n--;   // StringToCharArray appends the terminating zero
   ArrayResize(bytes, n);
   return n;
  }

// Writes <name>.tmp and renames it over <name>.json (or <path>.tmp over <path>), so a reader
// never sees half a file: the rename is atomic on the same volume.
bool WriteFileAtomic(const string path, const string content)
  {
   string tmp = EndsWith(path, ".json") ? Sub(path, 0, StringLen(path) - 5) + ".tmp" : path + ".tmp";
   uchar bytes[];
   int n = Utf8Bytes(content, bytes);
   ResetLastError();
   int h = FileOpen(tmp, FILE_WRITE | FILE_BIN);
   if(h == INVALID_HANDLE)
     {
      LogThrottled("open " + tmp, "cannot write " + tmp + " (error " + IntegerToString(GetLastError()) + ")");
      return false;
     }
   uint written = 0;
   if(n > 0)
      written = FileWriteArray(h, bytes, 0, n);
   FileFlush(h);
   FileClose(h);
   if((int)written != n)
     {
      LogThrottled("write " + tmp, "short write to " + tmp);
      return false;
     }
   ResetLastError();
   if(!FileMove(tmp, 0, path, FILE_REWRITE))
     {
      LogThrottled("move " + path, "cannot rename " + tmp + " to " + path + " (error " + IntegerToString(GetLastError()) + ")");
      return false;
     }
   return true;
  }

// Appends one line and flushes it to disk before returning.
bool AppendLine(const string path, const string line)
  {
   uchar bytes[];
   int n = Utf8Bytes(line + "\r\n", bytes);
   ResetLastError();
   int h = FileOpen(path, FILE_READ | FILE_WRITE | FILE_BIN | FILE_SHARE_READ);
   if(h == INVALID_HANDLE)
     {
      Log("cannot open " + path + " (error " + IntegerToString(GetLastError()) + ")");
      return false;
     }
   FileSeek(h, 0, SEEK_END);
   uint written = FileWriteArray(h, bytes, 0, n);
   FileFlush(h);
   FileClose(h);
   if((int)written != n)
     {
      Log("short write to " + path);
      return false;
     }
   return true;
  }

int SplitLines(const string text, string &lines[])
  {
   int n = StringSplit(text, '\n', lines);
   for(int i = 0; i < n; i++)
      StringReplace(lines[i], "\r", "");
   return n;
  }

//+------------------------------------------------------------------+
//| Executed-ids store (exactly-once)                                |
//| sortie/executed.txt, append-only, one event per line:            |
//|   R <id> <status> <retcode> <ticket> <price> <volume> <symbol>   |
//|     <unix utc> <message>           (tab separated)               |
//|   C <id> <unix utc> <volume> <profit>  (closed message queued;   |
//|     volume and profit: what it reported; older stores lack them) |
//| The last R line of an id wins.                                   |
//+------------------------------------------------------------------+
int FindRecord(const string id)
  {
   for(int i = ArraySize(g_records) - 1; i >= 0; i--)
      if(g_records[i].id == id)
         return i;
   return -1;
  }

void InitRecord(ExecRecord &r, const string id, const string symbol)
  {
   r.id = id;
   r.status = "";
   r.retcode = 0;
   r.ticket = 0;
   r.price = 0;
   r.volume = 0;
   r.symbol = symbol;
   r.message = "";
   r.updated = NowUtc();
   r.closed = false;
   r.closed_volume = 0;
   r.closed_profit = 0;
   r.kind = "open";
  }

void SetOutcome(ExecRecord &r, const string status, const uint retcode, const string message)
  {
   r.status = status;
   r.retcode = retcode;
   r.message = message;
   r.updated = NowUtc();
  }

void PutRecordInMemory(ExecRecord &r)
  {
   int idx = FindRecord(r.id);
   if(idx < 0)
     {
      idx = ArraySize(g_records);
      ArrayResize(g_records, idx + 1);
     }
   g_records[idx] = r;
  }

string RecordLine(const ExecRecord &r)
  {
   return "R\t" + r.id + "\t" + r.status + "\t" + IntegerToString(r.retcode) + "\t" +
          IntegerToString((long)r.ticket) + "\t" + DoubleToString(r.price, 8) + "\t" +
          DoubleToString(r.volume, 8) + "\t" + OneLine(r.symbol) + "\t" +
          IntegerToString((long)r.updated) + "\t" + OneLine(r.message) + "\t" + r.kind;
  }

string ClosedLine(const ExecRecord &r)
  {
   return "C\t" + r.id + "\t" + IntegerToString((long)NowUtc()) + "\t" + DoubleToString(r.closed_volume, 8) + "\t" +
          DoubleToString(r.closed_profit, 8);
  }

// Updates memory and appends the record to disk (flushed). Returns whether the disk write worked.
bool SaveRecord(ExecRecord &r)
  {
   r.updated = NowUtc();
   PutRecordInMemory(r);
   return AppendLine(EXECUTED_FILE, RecordLine(r));
  }

void ApplyStoreLine(const string line)
  {
   string f[];
   int n = StringSplit(line, '\t', f);
   if(n < 2 || f[1] == "")
      return;
   if(f[0] == "R" && n >= 10)
     {
      ExecRecord r;
      InitRecord(r, f[1], f[7]);
      r.status = f[2];
      r.retcode = (uint)StringToInteger(f[3]);
      r.ticket = (ulong)StringToInteger(f[4]);
      r.price = StringToDouble(f[5]);
      r.volume = StringToDouble(f[6]);
      r.updated = (datetime)StringToInteger(f[8]);
      r.message = f[9];
      if(n >= 11)
         r.kind = f[10];   // stores written by EA 1.0 have no kind: all opens
      int idx = FindRecord(r.id);
      if(idx >= 0)
        {
         r.closed = g_records[idx].closed;
         r.closed_volume = g_records[idx].closed_volume;
         r.closed_profit = g_records[idx].closed_profit;
        }
      PutRecordInMemory(r);
      return;
     }
   if(f[0] == "C")
     {
      int idx = FindRecord(f[1]);
      if(idx >= 0)
        {
         g_records[idx].closed = true;
         if(n >= 5)
           {
            g_records[idx].closed_volume = StringToDouble(f[3]);
            g_records[idx].closed_profit = StringToDouble(f[4]);
           }
        }
     }
  }

// Rewrites the store with one line per id (atomically) when the log has grown long.
void CompactExecuted()
  {
   string content = "";
   for(int i = 0; i < ArraySize(g_records); i++)
     {
      content += RecordLine(g_records[i]) + "\r\n";
      if(g_records[i].closed)
         content += ClosedLine(g_records[i]) + "\r\n";
     }
   if(WriteFileAtomic(EXECUTED_FILE, content))
      Log("compacted " + EXECUTED_FILE);
  }

void LoadExecuted()
  {
   ArrayResize(g_records, 0);
   if(!FileIsExist(EXECUTED_FILE))
     {
      Log("no " + EXECUTED_FILE + " yet (first start)");
      return;
     }
   string text;
   if(!ReadFileText(EXECUTED_FILE, text))
     {
      Log("WARNING: cannot read " + EXECUTED_FILE + " (error " + IntegerToString(GetLastError()) +
          "); redelivered commands will still be matched against positions and history by comment");
      return;
     }
   string lines[];
   int n = SplitLines(text, lines);
   int used = 0;
   for(int i = 0; i < n; i++)
     {
      if(lines[i] == "")
         continue;
      used++;
      ApplyStoreLine(lines[i]);
     }
   Log("remembered " + IntegerToString(ArraySize(g_records)) + " command ids from " + EXECUTED_FILE);
   if(used > 2 * ArraySize(g_records) + 200)
      CompactExecuted();
  }

//+------------------------------------------------------------------+
//| Outbox: results and closed messages until the server takes them  |
//| sortie/outbox.txt: <kind> TAB <id> TAB <created unix> TAB <json>  |
//+------------------------------------------------------------------+
void SaveOutbox()
  {
   string content = "";
   for(int i = 0; i < ArraySize(g_outbox); i++)
      content += g_outbox[i].kind + "\t" + g_outbox[i].id + "\t" + IntegerToString((long)g_outbox[i].created) +
                 "\t" + g_outbox[i].body + "\r\n";
   if(!WriteFileAtomic(OUTBOX_FILE, content))
      LogThrottled("outbox save", "WARNING: cannot save " + OUTBOX_FILE + "; queued messages live in memory only");
  }

void LoadOutbox()
  {
   ArrayResize(g_outbox, 0);
   if(!FileIsExist(OUTBOX_FILE))
      return;
   string text;
   if(!ReadFileText(OUTBOX_FILE, text))
      return;
   string lines[];
   int n = SplitLines(text, lines);
   for(int i = 0; i < n; i++)
     {
      string f[];
      if(StringSplit(lines[i], '\t', f) < 4)
         continue;
      int k = ArraySize(g_outbox);
      ArrayResize(g_outbox, k + 1);
      g_outbox[k].kind = f[0];
      g_outbox[k].id = f[1];
      g_outbox[k].created = (datetime)StringToInteger(f[2]);
      g_outbox[k].body = f[3];
      g_outbox[k].next_try = 0;
      g_outbox[k].attempts = 0;
     }
   if(ArraySize(g_outbox) > 0)
      Log(IntegerToString(ArraySize(g_outbox)) + " unsent message(s) restored from " + OUTBOX_FILE);
  }

void Enqueue(const string kind, const string id, const string body)
  {
   int idx = -1;
   for(int i = 0; i < ArraySize(g_outbox); i++)
      if(g_outbox[i].kind == kind && g_outbox[i].id == id)
        {
         idx = i;
         break;
        }
   if(idx < 0)
     {
      idx = ArraySize(g_outbox);
      ArrayResize(g_outbox, idx + 1);
      g_outbox[idx].created = NowUtc();
     }
   g_outbox[idx].kind = kind;
   g_outbox[idx].id = id;
   g_outbox[idx].body = body;
   g_outbox[idx].next_try = 0;
   g_outbox[idx].attempts = 0;
   SaveOutbox();
  }

void RemoveOutboxAt(const int index)
  {
   int n = ArraySize(g_outbox);
   for(int i = index; i < n - 1; i++)
      g_outbox[i] = g_outbox[i + 1];
   ArrayResize(g_outbox, n - 1);
  }
