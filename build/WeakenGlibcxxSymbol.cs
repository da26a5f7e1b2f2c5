using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Marks one versioned import of an ELF shared library as weak: the symbol binding becomes STB_WEAK and its
// version requirement gets VER_FLG_WEAK, so the dynamic loader no longer refuses a libstdc++ without that version.
public class WeakenGlibcxxSymbol : Task
{
    [Required] public ITaskItem[] Files { get; set; }
    [Required] public string Symbol { get; set; }
    [Required] public string Version { get; set; }

    const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe;
    const byte StbWeak = 2;
    const ushort VerFlgWeak = 2;

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            var elf = File.ReadAllBytes(path);
            int changes = Weaken(elf);
            if (changes < 0)
            {
                Log.LogWarning($"{path}: no '{Symbol}' import with version {Version}; left unchanged.");
                continue;
            }
            if (changes == 0) continue;
            // A new file moved over the old one: the copy may be a hard link into the package cache, which must
            // keep its original bytes.
            string temporary = path + ".weakening";
            File.WriteAllBytes(temporary, elf);
            File.Delete(path);
            File.Move(temporary, path);
            Log.LogMessage(MessageImportance.High, $"Made {Symbol}@{Version} weak in {path}");
        }
        return !Log.HasLoggedErrors;
    }

    // Returns how many fields changed, or -1 when the symbol or version is absent.
    int Weaken(byte[] elf)
    {
        // ELF64 little-endian only
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1) return -1;
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
        var sections = Enumerable.Range(0, shnum).Select(i => shoff + (long)i * shentsize).ToArray();
        uint Type(long sh) => BitConverter.ToUInt32(elf, (int)sh + 4);
        long Offset(long sh) => BitConverter.ToInt64(elf, (int)sh + 0x18);
        long Size(long sh) => BitConverter.ToInt64(elf, (int)sh + 0x20);
        long LinkedOffset(long sh) => Offset(sections[BitConverter.ToUInt32(elf, (int)sh + 0x28)]);
        string Str(long table, uint at)
        {
            int start = (int)(table + at), end = Array.IndexOf(elf, (byte)0, start);
            return Encoding.ASCII.GetString(elf, start, end - start);
        }

        int changes = 0; bool symbolFound = false, versionFound = false;
        foreach (var sh in sections.Where(s => Type(s) == ShtDynsym))
        {
            long strtab = LinkedOffset(sh);
            for (long sym = Offset(sh); sym < Offset(sh) + Size(sh); sym += 24)
            {
                if (Str(strtab, BitConverter.ToUInt32(elf, (int)sym)) != Symbol) continue;
                symbolFound = true;
                byte info = elf[sym + 4];
                if (info >> 4 != StbWeak) { elf[sym + 4] = (byte)((StbWeak << 4) | (info & 0xf)); changes++; }
            }
        }
        foreach (var sh in sections.Where(s => Type(s) == ShtGnuVerneed))
        {
            long strtab = LinkedOffset(sh);
            for (long need = Offset(sh); ; )
            {
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int n = BitConverter.ToUInt16(elf, (int)need + 2); n > 0; n--)
                {
                    if (Str(strtab, BitConverter.ToUInt32(elf, (int)aux + 8)) == Version)
                    {
                        versionFound = true;
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, aux + 4);
                            changes++;
                        }
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return symbolFound && versionFound ? changes : -1;
    }
}
