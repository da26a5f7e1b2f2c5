using System.Buffers.Binary;
using System.Text;

namespace ClipSharp.Checkpoints;

/// <summary>A class or function a pickle names (<c>module.qualname</c>). It is only ever compared by name, never
/// resolved.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>An object a pickle builds from a class (a TorchScript module): an inert bag of attributes.</summary>
internal sealed class PickledObject(PickleGlobal type)
{
    public PickleGlobal Type { get; } = type;
    public object? State { get; set; }
}

/// <summary>A call the pickle asks for, recorded rather than made: <c>Function(args)</c>.</summary>
internal sealed record PickleCall(PickleGlobal Function, object?[] Arguments);

/// <summary>
/// A pickle (protocols 2–5) interpreter that executes nothing: globals are checked against an allow-list before they
/// are even recorded, calls become <see cref="PickleCall"/> values, and persistent ids are handed to a resolver.
/// </summary>
internal sealed class PickleReader
{
    readonly Func<PickleGlobal, bool> isAllowed;
    readonly Func<object?, object?> persistentLoad;
    readonly string source;
    readonly string? entry;

    /// <param name="source">The file, named in every error.</param>
    /// <param name="entry">The pickle's name inside the file (e.g. <c>archive/data.pkl</c>), also named in errors.
    /// </param>
    public PickleReader(string source, Func<PickleGlobal, bool> isAllowed, Func<object?, object?> persistentLoad,
        string? entry = null)
    {
        this.source = source;
        this.entry = entry;
        this.isAllowed = isAllowed;
        this.persistentLoad = persistentLoad;
    }

    /// <summary>Each opcode may create an object (an empty dict is ~80 bytes from 1 byte of pickle): bounding their
    /// number bounds memory. A released model's data.pkl runs well under a hundred thousand.</summary>
    public const int MaxOpcodes = 4_000_000;

    public object? Load(ReadOnlySpan<byte> data)
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        int pos = 0;

        ReadOnlySpan<byte> Take(ReadOnlySpan<byte> d, int n)
        {
            if (n < 0 || n > d.Length - pos)
                throw Error($"truncated pickle: {n} bytes wanted at byte {pos}, {d.Length - pos} left");
            var s = d.Slice(pos, n); pos += n; return s;
        }
        // Every read of the stack is checked: a malformed pickle underflows it, or reaches below its last MARK.
        int Floor() => marks.Count > 0 ? marks.Peek() : 0;
        object? Top() => stack.Count > Floor() ? stack[^1] : throw Error($"stack underflow at byte {pos - 1}");
        object? Pop() { var v = Top(); stack.RemoveAt(stack.Count - 1); return v; }
        object?[] PopToMark()
        {
            if (marks.Count == 0) throw Error("pickle pops a mark it never set");
            int m = marks.Pop();
            var items = stack.GetRange(m, stack.Count - m).ToArray();
            stack.RemoveRange(m, stack.Count - m);
            return items;
        }
        int Int32(ReadOnlySpan<byte> d) => BinaryPrimitives.ReadInt32LittleEndian(Take(d, 4));
        // A length past int.MaxValue cannot fit the pickle anyway: clamped, Take reports it as truncated.
        int Int64(ReadOnlySpan<byte> d) =>
            (int)Math.Clamp(BinaryPrimitives.ReadInt64LittleEndian(Take(d, 8)), -1, int.MaxValue);
        int Byte(ReadOnlySpan<byte> d) => Take(d, 1)[0];
        string Line(ReadOnlySpan<byte> d)
        {
            int end = d[pos..].IndexOf((byte)'\n');
            if (end < 0) throw Error("truncated pickle (unterminated line)");
            var s = Encoding.ASCII.GetString(d.Slice(pos, end)); pos += end + 1; return s;
        }

        for (int executed = 0; ; executed++)
        {
            if (pos >= data.Length) throw Error("truncated pickle (no STOP)");
            if (executed == MaxOpcodes) throw Error($"more than {MaxOpcodes} opcodes: not a checkpoint's pickle");
            byte op = data[pos++];
            switch (op)
            {
                case 0x80: pos++; break;                                           // PROTO
                case 0x95: pos += 8; break;                                        // FRAME
                case (byte)'.': return stack.Count > 0 ? stack[^1] : null;         // STOP
                case (byte)'(': marks.Push(stack.Count); break;                    // MARK
                case (byte)'0': Pop(); break;                                      // POP
                case (byte)'1': PopToMark(); break;                                // POP_MARK
                case (byte)'2': stack.Add(Top()); break;                           // DUP
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(data, 4))); break;
                case (byte)'K': stack.Add((long)Take(data, 1)[0]); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(data, 2))); break;
                case 0x8a:                                                          // LONG1
                {
                    int n = Take(data, 1)[0];
                    if (n > 8) throw Error($"an integer of {n} bytes at byte {pos}: at most 8 are supported");
                    var bytes = Take(data, n);
                    long v = 0;
                    for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
                    if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n);
                    stack.Add(v);
                    break;
                }
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(data, 8))); break;  // BINFLOAT
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Take(data, Int32(data)))); break;     // BINUNICODE
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Take(data, Byte(data)))); break; // SHORT_BINUNICODE
                case 0x8d: stack.Add(Encoding.UTF8.GetString(Take(data, Int64(data)))); break;         // BINUNICODE8
                case (byte)'U': stack.Add(Encoding.Latin1.GetString(Take(data, Byte(data)))); break; // SHORT_BINSTRING
                case (byte)'T': stack.Add(Encoding.Latin1.GetString(Take(data, Int32(data)))); break;    // BINSTRING
                case (byte)'C': stack.Add(Take(data, Byte(data)).ToArray()); break;         // SHORT_BINBYTES
                case (byte)'B': stack.Add(Take(data, Int32(data)).ToArray()); break;                     // BINBYTES
                case (byte)')': stack.Add(Array.Empty<object?>()); break;          // EMPTY_TUPLE
                case (byte)'t': stack.Add(PopToMark()); break;                     // TUPLE
                case 0x85: stack.Add(new[] { Pop() }); break;                      // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case (byte)']': stack.Add(new List<object?>()); break;             // EMPTY_LIST
                case (byte)'l': stack.Add(PopToMark().ToList()); break;            // LIST
                case (byte)'a': { var v = Pop(); AsList(Top()).Add(v); break; }                           // APPEND
                case (byte)'e': { var items = PopToMark(); AsList(Top()).AddRange(items); break; }        // APPENDS
                case (byte)'}': stack.Add(new Dictionary<object, object?>()); break;                      // EMPTY_DICT
                case (byte)'d':                                                                           // DICT
                {
                    var d = new Dictionary<object, object?>();
                    SetItems(d, PopToMark());
                    stack.Add(d);
                    break;
                }
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItems(AsDict(Top()), [k, v]); break; } // SETITEM
                case (byte)'u': { var items = PopToMark(); SetItems(AsDict(Top()), items); break; }       // SETITEMS
                case (byte)'q': memo[Take(data, 1)[0]] = Top(); break;                                    // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4))] = Top(); break;
                case 0x94: memo[memo.Count] = Top(); break;                                               // MEMOIZE
                case (byte)'h': stack.Add(Memo(memo, Take(data, 1)[0])); break;                           // BINGET
                case (byte)'j': stack.Add(Memo(memo, BinaryPrimitives.ReadUInt32LittleEndian(Take(data, 4)))); break;
                case (byte)'c':                                                                           // GLOBAL
                {
                    string module = Line(data), name = Line(data);
                    stack.Add(Allow(new PickleGlobal(module, name)));
                    break;
                }
                case 0x93:                                                                          // STACK_GLOBAL
                {
                    var name = Pop() as string; var module = Pop() as string;
                    if (module is null || name is null) throw Error("STACK_GLOBAL without strings");
                    stack.Add(Allow(new PickleGlobal(module, name)));
                    break;
                }
                case (byte)'R':                                                                           // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Error("REDUCE without an argument tuple");
                    var fn = Pop() as PickleGlobal ?? throw Error("REDUCE of something that is not a global");
                    // A plain container is built; any other allowed call is recorded for the caller to interpret.
                    stack.Add(fn.FullName == "collections.OrderedDict"
                        ? new Dictionary<object, object?>() : new PickleCall(fn, args));
                    break;
                }
                case 0x81:                                                                                // NEWOBJ
                {
                    Pop();
                    var cls = Pop() as PickleGlobal ?? throw Error("NEWOBJ of something that is not a class");
                    stack.Add(new PickledObject(cls));
                    break;
                }
                case (byte)'b':                                                                           // BUILD
                {
                    var state = Pop();
                    switch (Top())
                    {
                        case PickledObject o: o.State = state; break;
                        case Dictionary<object, object?>: break; // an OrderedDict's _metadata: not needed
                        default: throw Error("BUILD on an object that cannot take state");
                    }
                    break;
                }
                case (byte)'Q': stack.Add(persistentLoad(Pop())); break;                                  // BINPERSID
                default:
                    throw Error($"unsupported pickle opcode 0x{op:x2} at byte {pos - 1}");
            }
        }
    }

    PickleGlobal Allow(PickleGlobal g) => isAllowed(g)
        ? g
        : throw Error($"refused global '{g.FullName}': only tensor rebuilds, storages, plain containers and " +
            "TorchScript module objects are read, and nothing in a checkpoint is executed");

    void SetItems(Dictionary<object, object?> d, object?[] items)
    {
        if (items.Length % 2 != 0) throw Error($"SETITEMS with an odd number ({items.Length}) of keys and values");
        for (int i = 0; i + 1 < items.Length; i += 2)
            d[items[i] ?? throw Error("a dict key is None")] = items[i + 1];
    }

    List<object?> AsList(object? o) => o as List<object?> ?? throw Error("APPEND to something that is not a list");

    Dictionary<object, object?> AsDict(object? o) =>
        o as Dictionary<object, object?> ?? throw Error("SETITEM on something that is not a dict");

    object? Memo(Dictionary<long, object?> memo, long key) =>
        memo.TryGetValue(key, out var v) ? v : throw Error($"pickle refers to memo entry {key} it never stored");

    CheckpointException Error(string what) =>
        new($"Checkpoint '{source}': {what}{(entry is null ? "" : $" (in '{entry}')")}");
}
