using FlipGuard.Fuzz;

// FlipGuard.Fuzz NAME                 — the AFL++ loop (run under afl-fuzz; see docs/fuzzing.md)
// FlipGuard.Fuzz NAME --replay FILES  — run files once each and report findings (triage, no AFL)
// FlipGuard.Fuzz --seed DIR           — write the seed corpus, one folder per harness
if (args.Length == 2 && args[0] == "--seed")
{
    FuzzSeeds.Write(args[1]);
    return 0;
}
if (args.Length < 1)
{
    Console.Error.WriteLine($"usage: FlipGuard.Fuzz NAME [--replay FILE...] | --seed DIR (harnesses: {string.Join(", ", FuzzHarnesses.All.Select(h => h.Name))})");
    return 2;
}
var harness = FuzzHarnesses.Find(args[0]);
string scratch = Directory.CreateTempSubdirectory("flipguard-fuzz-").FullName;
if (args.Length > 1 && args[1] == "--replay")
{
    int findings = 0;
    foreach (string file in args.Skip(2).SelectMany(a => Directory.Exists(a) ? Directory.GetFiles(a) : [a]))
    {
        try { FuzzHarnesses.Run(harness, File.ReadAllBytes(file), scratch); }
        catch (FuzzFindingException e) { findings++; Console.WriteLine($"{file}: {e.Message}"); }
    }
    Console.WriteLine($"{findings} finding(s)");
    return findings == 0 ? 0 : 1;
}
FlipGuard.Core.TorchRuntime.EnsureInitialized();
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzHarnesses.Run(harness, buffer.ToArray(), scratch);
});
return 0;
