using System.Security.Cryptography;
using FlipGuard.Data;
using FlipGuard.Data.Formats;
using FlipGuard.Data.Sources;

namespace FlipGuard.Tests.Data;

public class BuiltInDigitsTests
{
    [Fact]
    public void ShipsBesideTestBinariesWithTheDocumentedHashes()
    {
        string dir = BuiltInDigits.DefaultDirectory;
        Assert.True(BuiltInDigits.IsPresent(dir), $"built-in digits missing from {dir}");
        Assert.Equal("306441cfbe11525b81e08e6a73bd11c3fa0dce532f61b0db09edb6d5bac34f19", Sha256(Path.Combine(dir, NpmMnistConverter.ImagesFile)));
        Assert.Equal("71b7a77a70dfee17abfce9a45464785600f069d51e5a54c7af53abf6ec384f5b", Sha256(Path.Combine(dir, NpmMnistConverter.LabelsFile)));
    }

    [Fact]
    public void LoadAs10kDigitsWithBalancedSplit()
    {
        DatasetSplit split = BuiltInDigits.Read(BuiltInDigits.DefaultDirectory);
        Assert.Equal(8000, split.Train.Count);
        Assert.Equal(2000, split.Test.Count);
        Assert.Equal(new ImageShape(1, 28, 28), split.Train.Shape);
        Assert.Equal(10, split.Train.ClassCount);
        foreach (RawImageSet part in new[] { split.Train, split.Test })
        {
            int[] counts = new int[10];
            foreach (byte l in part.Labels) counts[l]++;
            double share = part.Count / 10.0;
            Assert.All(counts, c => Assert.InRange(c, share * 0.7, share * 1.3));
        }
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
