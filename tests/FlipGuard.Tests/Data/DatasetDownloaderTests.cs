using System.Net;
using System.Security.Cryptography;
using FlipGuard.Core;
using FlipGuard.Data.Formats;
using FlipGuard.Data.Sources;

namespace FlipGuard.Tests.Data;

public class DatasetDownloaderTests
{
    private static readonly Uri StubBase = new("http://stub.invalid/mirror/");

    /// <summary>Serves fixed bytes per file name and records what was asked for; never touches the network.</summary>
    private sealed class StubHandler(Dictionary<string, byte[]> files) : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            string name = request.RequestUri!.Segments[^1];
            var response = files.TryGetValue(name, out byte[]? body)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) }
                : new HttpResponseMessage(HttpStatusCode.NotFound);
            return Task.FromResult(response);
        }
    }

    private static readonly byte[] Known = [.. Enumerable.Range(0, 3_000_000).Select(i => (byte)(i * 7))];

    private static RemoteFile KnownFile(string name) =>
        new(name, new Uri("http://canonical.invalid/" + name), Convert.ToHexStringLower(SHA256.HashData(Known)));

    [Fact]
    public async Task WritesFileWhoseHashMatches()
    {
        using var dir = new TempDirectory();
        var stub = new StubHandler(new() { ["a.bin"] = Known });
        var progress = new List<DownloadProgress>();
        var downloader = new DatasetDownloader(new HttpClient(stub), StubBase);

        string path = await downloader.DownloadAsync(KnownFile("a.bin"), dir.Path, new ProgressRelay<DownloadProgress>(progress.Add));

        Assert.Equal(Known, File.ReadAllBytes(path));
        Assert.Equal(new Uri(StubBase, "a.bin"), Assert.Single(stub.Requests));
        Assert.Equal(Known.Length, progress[^1].BytesReceived);
        Assert.True(progress.Count >= 2);
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        await downloader.DownloadAsync(KnownFile("a.bin"), dir.Path); // already verified: not fetched again
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task RejectsWrongBytesAndLeavesNothingBehind()
    {
        using var dir = new TempDirectory();
        var stub = new StubHandler(new() { ["a.bin"] = [.. Known.Take(100)] });
        var downloader = new DatasetDownloader(new HttpClient(stub), StubBase);

        var e = await Assert.ThrowsAsync<FlipGuardException>(() => downloader.DownloadAsync(KnownFile("a.bin"), dir.Path));

        IdxReaderTests.AssertOneLineNaming(e, "SHA-256");
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task FetchRequestsCanonicalNamesUnderInjectedBaseAndChecksRealHashes()
    {
        using var dir = new TempDirectory();
        var stub = new StubHandler(new() { ["train-images-idx3-ubyte.gz"] = [1, 2, 3] });
        var downloader = new DatasetDownloader(new HttpClient(stub), StubBase);

        var e = await Assert.ThrowsAsync<FlipGuardException>(() => downloader.FetchAsync("fashion-mnist", dir.Path));

        Assert.Contains("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", e.Message);
        Assert.Equal(new Uri(StubBase, "train-images-idx3-ubyte.gz"), Assert.Single(stub.Requests));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "fashion-mnist")));
    }

    [Fact]
    public async Task HttpErrorIsOneLine()
    {
        using var dir = new TempDirectory();
        var downloader = new DatasetDownloader(new HttpClient(new StubHandler([])), StubBase);
        var e = await Assert.ThrowsAsync<FlipGuardException>(() => downloader.FetchAsync("cifar10", dir.Path));
        IdxReaderTests.AssertOneLineNaming(e, "HTTP 404");
    }

    [Fact]
    public void SourcesAreWellFormed()
    {
        Assert.Equal(["mnist", "fashion-mnist", "cifar10"], DatasetSources.Names);
        foreach (string name in DatasetSources.Names)
            Assert.All(DatasetSources.For(name), f =>
            {
                Assert.Matches("^[0-9a-f]{64}$", f.Sha256);
                Assert.EndsWith("/" + f.FileName, f.Url.AbsoluteUri);
            });
        Assert.Equal(IdxDatasetFiles.All.Select(f => f + ".gz"), DatasetSources.For("mnist").Select(f => f.FileName));
        Assert.Throws<FlipGuardException>(() => DatasetSources.For("mnist-10k"));
    }
}
