namespace FlipGuard.Models.Described;

/// <summary>
/// The built-in architectures written as descriptions, layer for layer and name for name, so that what works on
/// descriptions (ONNX export, <c>models describe</c>, a template for users) also works on zoo checkpoints.
/// ResNet-20 has none: its zero-padded strided shortcut is not one of the described layer types.
/// </summary>
public static class ZooDescriptions
{
    /// <summary>The description equivalent to <paramref name="spec"/>'s model, or null where there is none.</summary>
    public static ArchitectureDescription? For(ModelSpec spec)
    {
        if (spec.Description is not null) return spec.Description;
        return spec.Architecture switch
        {
            "mlp" => new() { Name = "mlp", Layers = [Flatten, Linear("fc1", 300), Relu, Linear("fc2", 100), Relu, Linear("fc3", spec.Classes)] },
            "lenet5" => new()
            {
                Name = "lenet5",
                Layers =
                [
                    new() { Type = "conv", Name = "conv1", Out = 6, Kernel = 5, Padding = Math.Max(0, (32 - spec.Height) / 2) }, Relu, Pool,
                    new() { Type = "conv", Name = "conv2", Out = 16, Kernel = 5 }, Relu, Pool,
                    Flatten, Linear("fc1", 120), Relu, Linear("fc2", 84), Relu, Linear("fc3", spec.Classes),
                ],
            },
            "vgg-small" => new() { Name = "vgg-small", Layers = [VggFeatures(), Flatten, Linear("fc1", 256), Relu, Linear("fc2", spec.Classes)] },
            _ => null,
        };
    }

    private static LayerDescription Flatten => new() { Type = "flatten" };
    private static LayerDescription Relu => new() { Type = "relu" };
    private static LayerDescription Pool => new() { Type = "maxpool", Kernel = 2 };
    private static LayerDescription Linear(string name, int outputs) => new() { Type = "linear", Name = name, Out = outputs };

    private static LayerDescription VggFeatures()
    {
        var layers = new List<LayerDescription>();
        int stage = 0;
        foreach (int width in new[] { 32, 64, 128 })
        {
            stage++;
            for (int j = 1; j <= 2; j++)
            {
                layers.Add(new() { Type = "conv", Name = $"conv{stage}_{j}", Out = width, Kernel = 3, Padding = 1, Bias = false });
                layers.Add(new() { Type = "batchnorm", Name = $"bn{stage}_{j}" });
                layers.Add(new() { Type = "relu", Name = $"relu{stage}_{j}" });
            }
            layers.Add(new() { Type = "maxpool", Name = $"pool{stage}", Kernel = 2 });
        }
        return new() { Type = "sequential", Name = "features", Layers = layers };
    }
}
