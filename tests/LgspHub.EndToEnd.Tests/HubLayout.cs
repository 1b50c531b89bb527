namespace LgspHub.EndToEnd.Tests;

/// <summary>Where the hub's hosts are (LgspHub.LocalHub), and their builds in the configuration this test assembly was built in.</summary>
public static class HubLayout
{
    public static HubRepository Repository { get; } = HubRepository.Find();

    public static string RepositoryRoot => Repository.Root;

    public static string OutputDirectory(HubHost host)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var directory = host.BuildDirectory(configuration);
        if (!File.Exists(Path.Combine(directory, host.ProjectName + ".dll")))
            throw new InvalidOperationException($"{host.ProjectName} is not built in {directory}: run ./lgsp test, which builds the solution first.");
        return directory;
    }
}
