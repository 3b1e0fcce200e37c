using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Checks at start-up (<c>ValidateOnStart</c>) that a JSON Lines sink's file can be written: its folder is created and the
/// file and its lock file are opened for appending. A path that fails would otherwise be found only at the first write,
/// after seconds of retries, with the batch dropped.
/// </summary>
internal sealed class JsonLinesSinkCheck : IValidateOptions<LlmCostOptions>
{
    private readonly string _path;

    public JsonLinesSinkCheck(string path) => _path = path;

    public ValidateOptionsResult Validate(string? name, LlmCostOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            var directory = Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            // The same modes the sink writes with; shared, so a running writer or reader of the file is not disturbed.
            using (new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
            {
            }

            try
            {
                using (new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
                {
                }
            }
            catch (IOException) when (File.Exists(_path + ".lock"))
            {
                // Another process's writer holds the lock file for its turn (it takes it exclusively): the path is in use, not broken.
            }

            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            return ValidateOptionsResult.Fail($"AddJsonLinesSink: the file '{_path}' cannot be written: {ex.Message}");
        }
    }
}
