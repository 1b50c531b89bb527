using System.Text.Json;

namespace LgspHub.Load.Tests;

/// <summary>The load generator shares the machine with the hub it loads: it carries what it runs, not the agencies' bus or databases.</summary>
public sealed class FootprintTests
{
    [Theory]
    [InlineData("MassTransit")]
    [InlineData("RabbitMQ.Client")]
    [InlineData("Microsoft.EntityFrameworkCore")]
    public void The_load_generator_carries_neither_the_bus_nor_a_database(string package)
    {
        // What `dotnet lgsp-load.dll` loads, as the SDK resolved it through every project reference.
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lgsp-load.deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name.Split('/')[0]).ToList();

        Assert.Contains(libraries, name => name.StartsWith("LgspHub.Seeding", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, name => name.StartsWith(package, StringComparison.OrdinalIgnoreCase));
    }
}
