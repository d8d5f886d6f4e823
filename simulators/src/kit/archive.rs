//! Single-file archives, built by hand, that simulated downloads answer with: a stored (uncompressed)
//! zip and a gzipped tar. Timestamps are fixed by the caller, so a download is the same bytes twice.

use super::encode::crc32;

/// A zip holding one entry stored uncompressed: local file header, data, central directory and end
/// record, as PKWARE's APPNOTE lays them out, dated `dos_date` at midnight.
pub fn stored_zip(name: &str, data: &[u8], dos_date: u16) -> Vec<u8> {
    const DOS_TIME: u16 = 0;
    const VERSION: u16 = 10; // 1.0: stored entries need nothing newer.
    let crc = crc32(data);
    let size = u32::try_from(data.len()).expect("an archived file is far below 4 GiB");
    let name_len = u16::try_from(name.len()).expect("the entry name is short");
    let mut zip = Vec::with_capacity(data.len() + 2 * name.len() + 98);
    let put16 = |zip: &mut Vec<u8>, v: u16| zip.extend_from_slice(&v.to_le_bytes());
    let put32 = |zip: &mut Vec<u8>, v: u32| zip.extend_from_slice(&v.to_le_bytes());

    put32(&mut zip, 0x0403_4b50);
    for v in [VERSION, 0, 0, DOS_TIME, dos_date] {
        put16(&mut zip, v); // version needed, flags, method (stored), time, date
    }
    for v in [crc, size, size] {
        put32(&mut zip, v); // crc, compressed size, uncompressed size
    }
    put16(&mut zip, name_len);
    put16(&mut zip, 0); // extra field length
    zip.extend_from_slice(name.as_bytes());
    zip.extend_from_slice(data);

    let central_at = u32::try_from(zip.len()).expect("the archive is far below 4 GiB");
    put32(&mut zip, 0x0201_4b50);
    for v in [20, VERSION, 0, 0, DOS_TIME, dos_date] {
        put16(&mut zip, v); // made by, version needed, flags, method, time, date
    }
    for v in [crc, size, size] {
        put32(&mut zip, v);
    }
    for v in [name_len, 0, 0, 0, 0] {
        put16(&mut zip, v); // name, extra and comment lengths, disk number, internal attributes
    }
    put32(&mut zip, 0); // external attributes
    put32(&mut zip, 0); // offset of the local header
    zip.extend_from_slice(name.as_bytes());
    let central_len =
        u32::try_from(zip.len()).expect("the archive is far below 4 GiB") - central_at;

    put32(&mut zip, 0x0605_4b50);
    for v in [0, 0, 1, 1] {
        put16(&mut zip, v); // this disk, central directory disk, entries here, entries in all
    }
    put32(&mut zip, central_len);
    put32(&mut zip, central_at);
    put16(&mut zip, 0); // comment length
    zip
}

/// A gzip (stored, uncompressed deflate blocks) of a ustar archive holding one file.
pub fn tar_gz(file_name: &str, contents: &[u8], mtime: u64) -> Vec<u8> {
    let mut tar = vec![0u8; 512];
    let mut put = |at: usize, field: &[u8]| tar[at..at + field.len()].copy_from_slice(field);
    put(0, file_name.as_bytes());
    put(100, b"0000644\0");
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{:011o}\0", contents.len()).as_bytes());
    put(136, format!("{mtime:011o}\0").as_bytes());
    put(148, b"        ");
    put(156, b"0");
    put(257, b"ustar\0");
    put(263, b"00");
    let sum: u32 = tar.iter().map(|&b| u32::from(b)).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    tar.extend_from_slice(contents);
    // The file padded to a whole block, then two empty blocks end the archive.
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);

    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let blocks: Vec<&[u8]> = tar.chunks(0xffff).collect();
    for (i, block) in blocks.iter().enumerate() {
        gz.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        gz.extend(len.to_le_bytes());
        gz.extend((!len).to_le_bytes());
        gz.extend_from_slice(block);
    }
    gz.extend(crc32(&tar).to_le_bytes());
    gz.extend((tar.len() as u32).to_le_bytes());
    gz
}
