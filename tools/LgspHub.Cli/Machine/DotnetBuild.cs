namespace LgspHub.Cli.Machine;

/// <summary>`dotnet build -c Release` of the solution or of one project, as every command that runs the hub's code first does.</summary>
internal static class DotnetBuild
{
    /// <summary>The solution, its output on this terminal (a build error is the user's to read).</summary>
    public static async Task SolutionAsync(string solution)
    {
        Say.Info($"building {Path.GetFileName(solution)} (Release)...");
        // In CI, leave no MSBuild or compiler servers behind after the run.
        string[] servers = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false" ? ["--disable-build-servers"] : [];
        if (await Processes.RunAsync("dotnet", ["build", solution, "-c", "Release", "-nologo", "-v", "q", "--tl:off", .. servers]) != 0)
            throw new CliException("build failed");
    }

    /// <summary>One project, quietly: its output goes to <paramref name="logFile"/>, shown only when it fails.</summary>
    public static async Task ProjectAsync(string project, string logFile)
    {
        File.Delete(logFile);
        if (await Processes.RunLoggedAsync("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "quiet"], logFile) != 0)
        {
            Say.LogTail(logFile, 30);
            throw new CliException($"{Path.GetFileNameWithoutExtension(project)} did not build (see {logFile})");
        }
    }
}
