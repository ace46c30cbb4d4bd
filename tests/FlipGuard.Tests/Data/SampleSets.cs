using FlipGuard.Data;

namespace FlipGuard.Tests.Data;

/// <summary>Small deterministic image sets for reader and writer tests.</summary>
internal static class SampleSets
{
    public static RawImageSet Make(int count, ImageShape shape, int classCount = 10, int salt = 0)
    {
        var pixels = new byte[count * shape.PixelCount];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 31 + salt * 7) % 256);
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)((i + salt) % classCount);
        return new RawImageSet(shape, pixels, labels, classCount);
    }

    public static RawImageSet Grey(int count, int salt = 0) => Make(count, new ImageShape(1, 28, 28), salt: salt);
}
