namespace FlipGuard.Data.Sources;

/// <summary>Which place a dataset was found in, reported so results can say what data they were measured on.</summary>
public enum DatasetSource
{
    /// <summary>The folder given in <see cref="DataOptions.Directory"/>.</summary>
    Explicit,

    /// <summary>The download cache (<see cref="DataOptions.CacheRoot"/>).</summary>
    Cache,

    /// <summary>A system-wide folder such as one installed by a Debian dataset package.</summary>
    System,

    /// <summary>The 10,000 digits shipped beside FlipGuard's binaries.</summary>
    BuiltIn,
}
