using FlipGuard.Core;
using FlipGuard.Data.Formats;

namespace FlipGuard.Data.Sources;

/// <summary>
/// The canonical download locations and SHA-256 sums of the datasets FlipGuard can fetch, kept in code so a changed
/// or tampered upstream file is refused rather than silently changing results.
/// </summary>
public static class DatasetSources
{
    // MNIST: the mirror torchvision downloads from (the original site now often refuses scripts).
    // SHA-256 sums as published by several independent projects for the original 1998 files.
    private const string MnistBase = "https://ossci-datasets.s3.amazonaws.com/mnist/";

    // Fashion-MNIST: Zalando Research's site (HTTP only; the SHA-256 check makes that safe). The sums belong to the
    // files whose MD5s the Fashion-MNIST README publishes (8d4fb7e6…, 25c81989…, bef4ecab…, bb300cfd…).
    private const string FashionBase = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    // CIFAR-10 binary version from Alex Krizhevsky's page at the University of Toronto (MD5 c32a1d4ab5d03f1284b67883e8d87530).
    private const string CifarBase = "https://www.cs.toronto.edu/~kriz/";

    private static readonly Dictionary<string, RemoteFile[]> Files = new()
    {
        ["mnist"] =
        [
            File(MnistBase, "train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            File(MnistBase, "train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            File(MnistBase, "t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            File(MnistBase, "t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ],
        ["fashion-mnist"] =
        [
            File(FashionBase, "train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            File(FashionBase, "train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            File(FashionBase, "t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            File(FashionBase, "t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ],
        ["cifar10"] =
        [
            File(CifarBase, Cifar10Reader.ArchiveName, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"),
        ],
    };

    /// <summary>Names that can be downloaded (every catalog name except the built-in <c>mnist-10k</c>).</summary>
    public static IReadOnlyCollection<string> Names => Files.Keys;

    /// <summary>The files that make up <paramref name="name"/>.</summary>
    /// <exception cref="FlipGuardException">The name cannot be downloaded.</exception>
    public static IReadOnlyList<RemoteFile> For(string name) =>
        Files.TryGetValue(name, out RemoteFile[]? files) ? files
        : name == "mnist-10k" ? throw new FlipGuardException("mnist-10k is built into FlipGuard; there is nothing to fetch")
        : throw new FlipGuardException($"cannot fetch unknown dataset '{name}' (fetchable: {string.Join(", ", Files.Keys)})");

    private static RemoteFile File(string baseUrl, string name, string sha256) => new(name, new Uri(baseUrl + name), sha256);
}

/// <summary>A file published by a dataset's authors together with the SHA-256 it must have, so downloads are verified.</summary>
/// <param name="FileName">Name to store it under (also the last segment of the URL).</param>
/// <param name="Url">Where it is published.</param>
/// <param name="Sha256">Expected SHA-256, lowercase hex.</param>
public sealed record RemoteFile(string FileName, Uri Url, string Sha256);
