# bash completion for telly(1): commands, each command's options (as
# `telly COMMAND --help` lists them) and, where a session NAME goes, the
# names `telly ls` prints (of the [user@]host given before it, asked with
# ssh in batch mode so that completion never prompts).

_telly_sessions()
{
	local dest=$1 out
	if [[ -n $dest ]]; then
		out=$(timeout 5 telly ls --no-direct --ssh 'ssh -o BatchMode=yes' "$dest" 2>/dev/null)
	else
		out=$(timeout 2 telly ls 2>/dev/null)
	fi
	printf '%s\n' "$out" | sed -n 's/^\([^:]*\):.*/\1/p'
}

_telly()
{
	local cur prev cmd i w dest=""
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="attach view new run ls kill stop serve demo"
	local dest_opts="--ssh --server --tcp --token-file --compress --no-compress --direct --no-direct --direct-bind --direct-connect"

	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$commands --help --version -V" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	# What was typed after the command: a -- ends the options (a program
	# and its arguments follow), a word with an @ is the destination.
	for ((i = 2; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -- ]]; then
			COMPREPLY=($(compgen -c -- "$cur"))
			return
		fi
		[[ $w == *@* && $w != -* ]] && dest=$w
	done

	case $prev in
	--ssh | --server)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	--token-file | --input | --screenshot | --consoles | --ssh-keys | --ssh-host-key)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-c | --cwd)
		[[ $cmd == attach || $cmd == a ]] && COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--log-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--tcp | --direct-bind | --direct-connect | --listen | --ssh-listen | -e | --size | --font | --font-size | --speed | \
		--bench-keys | --key-fd | --paint-fd | --log-cap | --hello-timeout | --frame-timeout | --console)
		return
		;;
	--accel)
		COMPREPLY=($(compgen -W "flat adaptive" -- "$cur"))
		return
		;;
	-s)
		[[ $cmd == new ]] && return
		;;
	esac

	local opts="" names=0
	case $cmd in
	attach | a)
		opts="--create -c --cwd -r -e --predict= --stats --help -- $dest_opts"
		names=1
		;;
	view)
		opts="--headless --size --input --screenshot --font --font-size --accel --speed -r
		      --stats --bench-keys --key-fd --paint-fd --help $dest_opts"
		;;
	new) opts="-s --x11 --display --help -- $dest_opts" ;;
	run)
		opts="--help -- $dest_opts"
		names=1
		;;
	ls | stop) opts="--help $dest_opts" ;;
	kill)
		opts="--help $dest_opts"
		names=1
		;;
	serve)
		opts="--stdio --direct-key --listen --allow-remote --log-dir --log-cap --hello-timeout --frame-timeout
		      --consoles --console --ssh-listen --ssh-keys --ssh-host-key --help"
		;;
	demo) opts="--help" ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif ((names)); then
		COMPREPLY=($(compgen -W "$(_telly_sessions "$dest")" -- "$cur"))
	fi
}
complete -F _telly telly
