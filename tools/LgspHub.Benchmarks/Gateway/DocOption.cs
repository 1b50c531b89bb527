namespace LgspHub.Benchmarks.Gateway;

/// <summary>The one option of gateway and tracing: --doc FILE, the docs/performance.md to write the bench's section into.</summary>
public sealed record DocOption(string? Path)
{
    public static DocOption? Parse(string bench, IReadOnlyList<string> args)
    {
        string? path = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--doc" && i + 1 < args.Count)
                path = args[++i];
            else
            {
                Console.Error.WriteLine($"bench {bench}: error: unknown argument {args[i]} (usage: LgspHub.Benchmarks {bench} [--doc FILE])");
                return null;
            }
        }
        return new DocOption(path);
    }
}
