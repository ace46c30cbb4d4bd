using FlipGuard.Core;

namespace FlipGuard.Interop;

/// <summary>
/// The memory a weight file may make a reader allocate for tensor data: <see cref="MaxBytes"/> in all (storages read
/// plus the tensors gathered from them, so a state dict of up to 1 GiB), checked before each allocation from the sizes
/// the file declares, so neither a declared 3 GB zip entry nor a pickle whose strides spread one float over a billion
/// elements allocates anything first. That holds every model FlipGuard builds or imports (VGG-16, the largest, is 528 MB).
/// </summary>
public sealed class TensorBudget(string source)
{
    /// <summary>The documented budget of tensor bytes per weight file.</summary>
    public const long MaxBytes = 2L << 30;

    private long used;

    /// <summary>Reserves <paramref name="bytes"/> for <paramref name="what"/>.</summary>
    /// <exception cref="FlipGuardException">The file asks for more than the budget, or a negative size.</exception>
    public void Take(long bytes, string what)
    {
        if (bytes < 0 || bytes > MaxBytes - used || bytes > Array.MaxLength)
            throw new FlipGuardException($"{source}: {what} would bring the tensor data to more than {MaxBytes:N0} bytes (declared {bytes:N0}); FlipGuard reads state dicts of up to 1 GiB");
        used += bytes;
    }
}
