namespace LgspHub.Benchmarks;

public static class DataBenchmark
{
    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        Console.Error.WriteLine("not written yet");
        return Task.FromResult(2);
    }
}
