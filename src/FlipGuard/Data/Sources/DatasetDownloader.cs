using System.Security.Cryptography;
using FlipGuard.Core;

namespace FlipGuard.Data.Sources;

/// <summary>
/// Downloads a dataset's published files into the cache for users who are online, verifying each file's SHA-256
/// and writing through a temporary file so an interrupted or corrupt download never looks like a valid dataset.
/// </summary>
public sealed class DatasetDownloader
{
    private static readonly HttpClient SharedClient = new() { Timeout = TimeSpan.FromMinutes(30) };
    private const int ReportEvery = 1 << 20;

    private readonly HttpClient http;
    private readonly Uri? baseAddress;

    /// <summary>Creates a downloader.</summary>
    /// <param name="http">Client to use (tests pass one over a stub handler); null uses a shared client.</param>
    /// <param name="baseAddress">
    /// When set, every file is requested as <c>baseAddress + FileName</c> instead of its canonical URL: for mirrors,
    /// proxies and tests. Must end with <c>/</c>.
    /// </param>
    public DatasetDownloader(HttpClient? http = null, Uri? baseAddress = null)
    {
        if (baseAddress is not null && !baseAddress.AbsoluteUri.EndsWith('/'))
            throw new ArgumentException("the base address must end with '/'", nameof(baseAddress));
        this.http = http ?? SharedClient;
        this.baseAddress = baseAddress;
    }

    /// <summary>
    /// Downloads every file of <paramref name="name"/> into <c>cacheRoot/name</c> (where <see cref="DatasetCatalog"/>
    /// looks), skipping files already present with the right hash.
    /// </summary>
    /// <returns>The dataset's cache folder.</returns>
    /// <exception cref="FlipGuardException">Unknown name, HTTP or network failure, or a hash mismatch.</exception>
    public async Task<string> FetchAsync(string name, string cacheRoot, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<RemoteFile> files = DatasetSources.For(name);
        string dir = new DataOptions(CacheDirectory: cacheRoot).CacheFor(name);
        foreach (RemoteFile file in files)
            await DownloadAsync(file, dir, progress, cancellationToken).ConfigureAwait(false);
        return dir;
    }

    /// <summary>Downloads one file into <paramref name="targetDir"/> and checks its SHA-256 before giving it its final name.</summary>
    /// <returns>The path of the verified file.</returns>
    /// <exception cref="FlipGuardException">HTTP or network failure, or a hash mismatch (the partial file is removed).</exception>
    public async Task<string> DownloadAsync(RemoteFile file, string targetDir, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        OutputFolder.Create(targetDir);
        string target = Path.Combine(targetDir, file.FileName);
        if (File.Exists(target) && await HashFileAsync(target, cancellationToken).ConfigureAwait(false) == file.Sha256)
            return target;

        Uri url = baseAddress is null ? file.Url : new Uri(baseAddress, file.FileName);
        try
        {
            // The hash is checked before the rename: a damaged download is thrown away and never takes the name.
            await AtomicFile.WriteAsync(target, async (output, ct) =>
            {
                string actual = await DownloadToAsync(url, output, file.FileName, progress, ct).ConfigureAwait(false);
                if (actual != file.Sha256)
                    throw new FlipGuardException($"{url}: SHA-256 is {actual}, expected {file.Sha256}; the download is damaged or the file changed upstream");
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return target;
        }
        catch (Exception e) when (e is HttpRequestException or HttpIOException)
        {
            throw new FlipGuardException($"{url}: download failed ({e.Message})");
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FlipGuardException($"{url}: download timed out ({e.Message})");
        }
        catch (IOException e)
        {
            throw new FlipGuardException($"{target}: cannot write ({e.Message})");
        }
    }

    private async Task<string> DownloadToAsync(Uri url, Stream output, string fileName, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        using HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new FlipGuardException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        long? total = response.Content.Headers.ContentLength;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (Stream body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long received = 0, lastReport = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                received += n;
                if (received - lastReport >= ReportEvery) progress?.Report(new DownloadProgress(fileName, lastReport = received, total));
            }
            progress?.Report(new DownloadProgress(fileName, received, total));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
    }
}

/// <summary>Progress of one file's download, reported so the CLI can draw a progress bar without the library printing.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">Expected size, when the server says.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);
