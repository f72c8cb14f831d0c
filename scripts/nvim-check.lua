-- Real-client check for `beautylint server`, run by scripts/nvim-check.sh:
--   BEAUTYLINT_FILE=FILE nvim --headless --clean -c 'luafile scripts/nvim-check.lua'
-- Opens FILE, attaches the server, waits for diagnostics, prints them and
-- exits 0 when there is at least one, 1 when none arrive in time.
-- Works with Neovim 0.7 (Debian 12) and later.
local file = vim.env.BEAUTYLINT_FILE or 'fixtures/md/home-howto-steps.md'
local bin = vim.env.BEAUTYLINT or 'target/debug/beautylint'
local timeout_ms = tonumber(vim.env.NVIM_CHECK_TIMEOUT_MS or '30000')
local function out(s) io.stdout:write(s .. '\n') end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local config = { name = 'beautylint', cmd = { bin, 'server' }, root_dir = vim.fn.getcwd() }
local client_id
if vim.lsp.start then -- Neovim 0.8+
  client_id = vim.lsp.start(config, { bufnr = buf })
else
  client_id = vim.lsp.start_client(config)
  if client_id then vim.lsp.buf_attach_client(buf, client_id) end
end
if not client_id then
  io.stderr:write('could not start ' .. bin .. ' server\n')
  os.exit(2)
end

local ok = vim.wait(timeout_ms, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)

local diags = vim.diagnostic.get(buf)
for _, d in ipairs(diags) do
  local lsp = (d.user_data or {}).lsp or {}
  -- lnum/col are 0-based; print 1-based like the CLI does.
  out(string.format('%s:%d:%d: %s [%s] %s', file, d.lnum + 1, d.col + 1,
    vim.diagnostic.severity[d.severity], d.code or lsp.code or '?',
    (d.message:gsub('\n.*', ''))))
end
out('vim.diagnostic.get(0)[1] = ' .. vim.inspect(diags[1]))
local client = vim.lsp.get_client_by_id(client_id)
if client then
  out('position encoding: ' .. tostring(client.offset_encoding))
  client.stop()
end
if not ok then
  io.stderr:write('no diagnostics within ' .. timeout_ms .. ' ms\n')
  os.exit(1)
end
os.exit(0)
