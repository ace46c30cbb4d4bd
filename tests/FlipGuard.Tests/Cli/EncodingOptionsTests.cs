using System.CommandLine;
using FlipGuard.Cli;
using FlipGuard.Core;
using FlipGuard.Faults.Encodings;

namespace FlipGuard.Tests.Cli;

/// <summary><c>--encoding NAME</c> and the flag each fault command had before it (<c>--int8</c>, <c>--float32</c>) choose the same encodings.</summary>
public sealed class EncodingOptionsTests
{
    private static IWeightEncoding Resolve(EncodingOptions options, params string[] args)
    {
        var command = new RootCommand();
        foreach (var o in options.All) command.Options.Add(o);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Resolve(parse);
    }

    [Fact]
    public void TheFlagAndTheNameAgree()
    {
        var sweep = new EncodingOptions(WeightEncodings.Float32, "--int8", WeightEncodings.Int8, "int8.");
        Assert.Same(WeightEncodings.Float32, Resolve(sweep));
        Assert.Same(WeightEncodings.Int8, Resolve(sweep, "--int8"));
        Assert.Same(WeightEncodings.Int8, Resolve(sweep, "--encoding", "int8"));
        Assert.Same(WeightEncodings.Int8, Resolve(sweep, "--int8", "--encoding", "int8"));
        var e = Assert.Throws<FlipGuardException>(() => Resolve(sweep, "--int8", "--encoding", "float32"));
        Assert.Equal("--int8 means --encoding int8, but --encoding float32 was given", e.Message);

        var attack = new EncodingOptions(WeightEncodings.Int8, "--float32", WeightEncodings.Float32, "float32.");
        Assert.Same(WeightEncodings.Int8, Resolve(attack));
        Assert.Same(WeightEncodings.Float32, Resolve(attack, "--float32"));
        Assert.Same(WeightEncodings.Float32, Resolve(attack, "--encoding", "float32"));
    }

    [Fact]
    public void AnUnknownNameIsAParseError()
    {
        var sweep = new EncodingOptions(WeightEncodings.Float32, "--int8", WeightEncodings.Int8, "int8.");
        var command = new RootCommand();
        foreach (var o in sweep.All) command.Options.Add(o);
        Assert.NotEmpty(command.Parse(["--encoding", "bfloat16"]).Errors);
    }
}
